from datetime import date

import pytest

from tagmanager.reports.ranges import report_range

TODAY = date(2025, 3, 31)


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({}, (date(2025, 3, 2), TODAY)),
        ({"days": 7}, (date(2025, 3, 25), TODAY)),
        ({"days": 90}, (date(2025, 1, 1), TODAY)),
        ({"start": date(2025, 3, 1)}, (date(2025, 3, 1), TODAY)),
        (
            {"start": date(2025, 3, 1), "end": date(2025, 3, 1)},
            (date(2025, 3, 1), date(2025, 3, 1)),
        ),
        ({"start": date(2024, 4, 1), "end": date(2025, 3, 31)}, (date(2024, 4, 1), TODAY)),
        ({"days": 7, "start": date(2025, 3, 1)}, (date(2025, 3, 1), TODAY)),  # dates win
    ],
)
def test_report_range(kwargs, expected):
    assert report_range(today=TODAY, **kwargs) == expected


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"days": 12}, "Choose the last 7, 30, 90 days"),
        ({"end": date(2025, 3, 1)}, "start date"),
        ({"start": date(2025, 3, 2), "end": date(2025, 3, 1)}, "after the end date"),
        ({"start": date(1999, 12, 31), "end": date(2000, 1, 1)}, "between"),
        ({"start": date(2025, 3, 1), "end": date(2025, 4, 2)}, "between"),
        ({"start": date(2024, 3, 1), "end": date(2025, 3, 2)}, "at most 366 days"),
        ({"start": date(1, 1, 1), "end": date(9999, 12, 31)}, "between"),
    ],
)
def test_report_range_errors(kwargs, message):
    with pytest.raises(ValueError, match=message):
        report_range(today=TODAY, **kwargs)
