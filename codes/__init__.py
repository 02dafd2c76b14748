"""The product's vocabulary: every list of codes it writes, reads or shows, defined once,
each code with the label people read.

Plain Python at the bottom of the layers (it imports nothing of the project, nor Django):
the pure scoring engine imports it, and so do the models (their choices are built from it,
``core.choices.text_choices``), serializers, filters, page labels and so the OpenAPI
schema. ``tests/test_codes.py`` pins every place that still states a list to these.

- ``accounts``: segments, product kinds, entitlement periods, stakeholder roles;
- ``signals``: signal kinds;
- ``opportunities``: motions, plays, stages, statuses, held-back reasons;
- ``triggers``: trigger codes and the utilization alert levels;
- ``health``: health components, guardrail reasons, account actions.
"""

from .vocabulary import Vocabulary

__all__ = ["Vocabulary"]
