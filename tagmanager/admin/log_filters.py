"""List filters and search for the log tables (fire events, consent records), which grow to
millions of rows: nothing here reads the table to offer its choices, and a search compares
whole values, which indexes can serve."""

import uuid
from datetime import datetime, time, timedelta
from datetime import timezone as dt_timezone

from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.db.models import Q, QuerySet
from django.utils import timezone

# Choice -> (label, UTC days counted back, today included).
PERIODS = {"today": ("Today", 1), "7d": ("Last 7 days", 7), "30d": ("Last 30 days", 30)}


def period_start(period: str, *, now: datetime) -> datetime | None:
    """The first instant of ``period`` (whole UTC days, as in the reports), None if unknown.

    >>> period_start("7d", now=datetime(2026, 3, 10, 15, tzinfo=dt_timezone.utc))
    datetime.datetime(2026, 3, 4, 0, 0, tzinfo=datetime.timezone.utc)
    """
    if period not in PERIODS:
        return None
    first = now.astimezone(dt_timezone.utc).date() - timedelta(days=PERIODS[period][1] - 1)
    return datetime.combine(first, time.min, tzinfo=dt_timezone.utc)


class PeriodFilter(admin.SimpleListFilter):
    """Rows of today, the last 7 or the last 30 UTC days by ``field``. Fixed choices: a date
    hierarchy or a list of values reads the whole table on every load of the list."""

    title = "period (UTC)"
    parameter_name = "period"
    field = ""

    def lookups(self, request, model_admin):
        return [(key, label) for key, (label, _days) in PERIODS.items()]

    def queryset(self, request, queryset):
        if self.value() is None:
            return queryset
        start = period_start(self.value(), now=timezone.now())
        if start is None:
            # The admin's answer to any bad lookup: back to the unfiltered list.
            raise IncorrectLookupParameters(f"Unknown period {self.value()!r}.")
        return queryset.filter(**{f"{self.field}__gte": start})


def period_filter(field: str) -> type[PeriodFilter]:
    """A PeriodFilter on the time field ``field``, for ``list_filter``."""
    return type(f"PeriodFilter_{field}", (PeriodFilter,), {"field": field})


def exact_search(queryset: QuerySet, term: str, *, text_fields=(), uuid_fields=()) -> QuerySet:
    """Rows where one of the fields equals the whole ``term`` (UUID fields only when it is a
    UUID). Plain equality: the admin's ``=field`` search compares case-insensitively, through
    UPPER() or a cast to text, which no index serves."""
    term = term.strip()
    if not term:
        return queryset
    if "\x00" in term:  # no stored value has one, and PostgreSQL refuses it in a query
        return queryset.none()
    match = Q()
    for field in text_fields:
        match |= Q(**{field: term})
    try:
        value = uuid.UUID(term)
    except ValueError:
        value = None
    if value is not None:
        for field in uuid_fields:
            match |= Q(**{field: value})
    return queryset.filter(match) if match else queryset.none()
