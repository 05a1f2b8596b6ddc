from datetime import timezone as dt_timezone

from django.utils.dateparse import parse_datetime
from rest_framework import exceptions
from rest_framework.pagination import CursorPagination, LimitOffsetPagination

# No table of definitions comes near this; larger offsets only risk integer overflows in SQL.
MAX_OFFSET = 10**9


class OffsetPagination(LimitOffsetPagination):
    """``?limit=&offset=`` for definitions: small tables people page through by number."""

    default_limit = 50
    max_limit = 500

    def get_offset(self, request):
        return min(super().get_offset(request), MAX_OFFSET)


class TimeCursorPagination(CursorPagination):
    """``?cursor=`` for logs (newest first): constant cost however deep one pages, and stable
    while new rows arrive. Subclasses name the time field."""

    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 1000
    invalid_cursor_message = "Invalid cursor: follow the next and previous links as given."

    def decode_cursor(self, request):
        try:
            cursor = super().decode_cursor(request)
        except exceptions.NotFound:
            raise exceptions.ValidationError({"cursor": [self.invalid_cursor_message]}) from None
        # A position is a time taken from a row; anything else is a hand-made cursor.
        if cursor and cursor.position is not None:
            try:
                position = parse_datetime(cursor.position)
                if position is not None and position.tzinfo is not None:
                    position = position.astimezone(dt_timezone.utc)
            except (ValueError, OverflowError):
                position = None
            if position is None:
                raise exceptions.ValidationError({"cursor": [self.invalid_cursor_message]})
            cursor = cursor._replace(position=str(position))
        return cursor


class FireEventPagination(TimeCursorPagination):
    ordering = ("-server_time", "-pk")


class ConsentRecordPagination(TimeCursorPagination):
    ordering = ("-created_at", "-pk")
