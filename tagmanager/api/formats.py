"""Request and response formats of the API."""

import json

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser
from rest_framework.renderers import BaseRenderer

from tagmanager.models.validators import unstorable


class StrictJSONParser(JSONParser):
    """JSON bodies without NaN/Infinity and without text that cannot be stored, so bad input
    is a 400 here rather than a database error later."""

    strict = True

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError("JSON nested too deeply.") from None
        if unstorable(data):
            raise ParseError("Text may not contain NUL characters or unpaired surrogates.")
        return data


class CSVRenderer(BaseRenderer):
    """Names ``text/csv`` for content negotiation; the export view streams the body itself."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if isinstance(data, (bytes, str)):
            return data
        return json.dumps(data).encode()
