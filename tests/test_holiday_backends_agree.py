"""business.calendar = "workalendar" reads a region as python-holidays does, where their data agrees."""
import datetime as dt

import pytest

from calsync.config.holidays import PythonHolidays, Workalendar

# Where the data differs, by design: workalendar's data stopped in early 2023 (no Juneteenth, no Diwali in CA).
DATA_GAPS = {dt.date(2026, 6, 19), dt.date(2027, 6, 18), dt.date(2027, 10, 29)}


def weekday_differences(region: str, year: int) -> set[dt.date]:
    a, b = PythonHolidays(region).holidays(year), Workalendar(region).holidays(year)
    return {d for d in a ^ b if d.weekday() < 5} - DATA_GAPS


@pytest.mark.filterwarnings("ignore")
@pytest.mark.parametrize("region", ["US", "US-CA", "GB", "UK", "GB-ENG", "GB-WLS", "GB-NIR", "DE", "DE-BY", "FR", "us-ca"])
def test_both_backends_agree(region):
    assert weekday_differences(region, 2026) == set() and weekday_differences(region, 2027) == set()
