"""The book's row rules for API writes: a serializer that takes a record the import would
reject is a second, weaker validation. ``BookRulesMixin`` checks a serializer's data with
``core.validation`` (the importer's own code) and the spec of the file the model is
imported from (each app's ``book.py``), so both paths accept the same rows."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from rest_framework import serializers

from core.validation import FileSpec, record_errors


def _as_text(value) -> str:
    """A value as the book file would spell it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")  # 7, not 7.0000
    return str(value)


class BookRulesMixin:
    """For a ``ModelSerializer`` whose fields are named as ``book_spec``'s columns: after
    the field checks, the file's rules (ranges, dates, cross-column rules) on the record as
    it will be stored (on a partial update, the instance's values fill in). References are
    resolved by the serializer's own scoped fields, so they are not checked again here."""

    book_spec: FileSpec

    def validate(self, attrs):
        attrs = super().validate(attrs)
        spec = self.book_spec
        values = {}
        for column in spec.columns:
            if column.kind == "ref":
                values[column.name] = "resolved"  # record_errors takes it as found
            elif column.name in attrs:
                values[column.name] = _as_text(attrs[column.name])
            else:
                values[column.name] = _as_text(getattr(self.instance, column.name, None))
        errors = record_errors(spec, values)
        if errors:
            raise serializers.ValidationError(errors)
        return attrs
