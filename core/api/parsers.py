"""The API's JSON parser: a body nested too deep to parse is bad input (400), not a crash."""

from __future__ import annotations

from rest_framework import parsers
from rest_framework.exceptions import ParseError


class JSONParser(parsers.JSONParser):
    """DRF's parser, answering 400 where Python's decoder gives up on nesting
    (``RecursionError``, from about a thousand levels) instead of a server error."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError("JSON parse error - nested too deeply") from None
