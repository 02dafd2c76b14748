"""``Vocabulary``: a list of codes with their labels, declared as Django's TextChoices are."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import ClassVar


class Vocabulary:
    """Codes with their labels, in order. A subclass declares one ``NAME = "code", "Label"``
    per code; the attribute then reads as the plain code (``Play.TIER_UPGRADE ==
    "tier_upgrade"``, a ``str``), and the class lists them all:

    - ``codes``: the codes, in declaration order;
    - ``labels``: code -> label (read-only);
    - ``choices``: ``((code, label), ...)``, as Django and DRF take them;
    - ``names``: ``((NAME, code), ...)``, for ``core.choices.text_choices``.

    A vocabulary is a namespace: it is never instantiated.
    """

    codes: ClassVar[tuple[str, ...]] = ()
    labels: ClassVar[Mapping[str, str]] = MappingProxyType({})
    choices: ClassVar[tuple[tuple[str, str], ...]] = ()
    names: ClassVar[tuple[tuple[str, str], ...]] = ()

    def __init_subclass__(cls, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        labels: dict[str, str] = {}
        names: list[tuple[str, str]] = []
        for name, value in list(vars(cls).items()):
            if name.startswith("_") or not name.isupper():
                continue
            if not (
                isinstance(value, tuple)
                and len(value) == 2
                and all(isinstance(v, str) and v for v in value)
            ):
                raise TypeError(f'{cls.__name__}.{name}: declare it as "code", "Label"')
            code, label = value
            if code in labels:
                raise ValueError(f"{cls.__name__}.{name}: the code {code!r} is declared twice")
            labels[code] = label
            names.append((name, code))
            setattr(cls, name, code)
        cls.codes = tuple(labels)
        cls.labels = MappingProxyType(labels)
        cls.choices = tuple(labels.items())
        cls.names = tuple(names)
