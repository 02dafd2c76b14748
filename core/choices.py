"""Django choices built from the product's vocabulary (``codes``)."""

from __future__ import annotations

from django.db import models

from codes import Vocabulary


def text_choices(vocabulary: type[Vocabulary], *, module: str) -> type[models.TextChoices]:
    """The ``TextChoices`` of a vocabulary, of the same name: the same member names, codes,
    labels and order. ``module``: the caller's ``__name__`` (where the class lives, for its
    repr and pickling)."""
    members = [(name, (code, vocabulary.labels[code])) for name, code in vocabulary.names]
    return models.TextChoices(
        vocabulary.__name__, members, module=module, qualname=vocabulary.__name__
    )
