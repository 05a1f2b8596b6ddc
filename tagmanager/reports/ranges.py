"""Report date ranges: a preset (the last 7, 30 or 90 days) or explicit UTC days."""

from datetime import date, timedelta

PRESETS = (7, 30, 90)
DEFAULT_PRESET = 30
MAX_DAYS = 366
EARLIEST = date(2000, 1, 1)


def report_range(
    *, today: date, days: int | None = None, start=None, end=None
) -> tuple[date, date]:
    """(first, last) UTC day of a report, both included, or ValueError saying what is wrong.

    ``days`` picks the last 7, 30 or 90 days up to ``today``; otherwise ``start`` and ``end``
    (dates; ``end`` defaults to today) bound the range, at most ``MAX_DAYS`` long.

    >>> report_range(today=date(2025, 3, 31), days=7)
    (datetime.date(2025, 3, 25), datetime.date(2025, 3, 31))
    """
    if start is None and end is None:
        days = days or DEFAULT_PRESET
        if days not in PRESETS:
            raise ValueError(f"Choose the last {', '.join(map(str, PRESETS))} days, or dates.")
        return today - timedelta(days=days - 1), today
    if start is None:
        raise ValueError("Give a start date with the end date.")
    end = end or today
    if start > end:
        raise ValueError("The start date is after the end date.")
    if start < EARLIEST or end > today + timedelta(days=1):
        raise ValueError(f"Dates must lie between {EARLIEST.isoformat()} and tomorrow.")
    if (end - start).days + 1 > MAX_DAYS:
        raise ValueError(f"A report covers at most {MAX_DAYS} days.")
    return start, end
