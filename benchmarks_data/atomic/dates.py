"""Atomic functions: dates, times and parsing. A "date" is a str 'YYYY-MM-DD' (see typevocab)."""
from __future__ import annotations

from benchmarks_data.atomic.spec import Registry
from benchmarks_data.atomic.typevocab import rand_date

atomic = Registry("dates")
DATE = {"d": "date"}


@atomic(tests=["assert day_of_week('2024-01-01') == 'Monday'", "assert day_of_week('2000-02-29') == 'Tuesday'"],
        types=DATE)
def day_of_week(d: str) -> str:
    """Return the English name of the weekday ('Monday' ... 'Sunday') of the date d, given as
    'YYYY-MM-DD'."""
    import datetime
    names = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
    return names[datetime.date.fromisoformat(d).weekday()]


@atomic(tests=["assert add_days('2024-02-28', 2) == '2024-03-01'", "assert add_days('2000-01-01', -1) == '1999-12-31'",
               "assert add_days('9999-12-31', 1) == '9999-12-31'"],
        types={"d": "date", "return": "date"}, gen=lambda rng: (rand_date(rng), rng.randint(-400, 400)))
def add_days(d: str, k: int) -> str:
    """Return the date k days after the date d (before it when k is negative), both as 'YYYY-MM-DD';
    when the result would fall outside the years 1..9999, return d unchanged."""
    import datetime
    start = datetime.date.fromisoformat(d).toordinal()
    if not 1 <= start + k <= datetime.date.max.toordinal():
        return d
    return datetime.date.fromordinal(start + k).isoformat()


@atomic(tests=["assert days_between('2024-01-01', '2024-03-01') == 60",
               "assert days_between('2024-03-01', '2024-01-01') == 60"],
        types={"a": "date", "b": "date"})
def days_between(a: str, b: str) -> int:
    """Return the number of days between the dates a and b (both 'YYYY-MM-DD') as a non-negative
    integer."""
    import datetime
    return abs(datetime.date.fromisoformat(a).toordinal() - datetime.date.fromisoformat(b).toordinal())


@atomic(tests=["assert is_leap_year(2000)", "assert not is_leap_year(1900)", "assert is_leap_year(2024)",
               "assert not is_leap_year(2023)"],
        gen=lambda rng: (rng.randint(1890, 2110),))
def is_leap_year(year: int) -> bool:
    """Return True when year is a leap year of the proleptic Gregorian calendar: divisible by 4, except
    years divisible by 100 that are not divisible by 400."""
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


@atomic(tests=["assert days_in_month('2024-02-10') == 29", "assert days_in_month('2023-02-01') == 28",
               "assert days_in_month('2023-12-31') == 31"],
        types=DATE)
def days_in_month(d: str) -> int:
    """Return the number of days in the month of the date d ('YYYY-MM-DD')."""
    y, m = int(d[:4]), int(d[5:7])
    if m == 2:
        return 29 if y % 4 == 0 and (y % 100 != 0 or y % 400 == 0) else 28
    return 30 if m in (4, 6, 9, 11) else 31


@atomic(tests=["assert day_of_year('2024-03-01') == 61", "assert day_of_year('2023-01-01') == 1"], types=DATE)
def day_of_year(d: str) -> int:
    """Return the position of the date d ('YYYY-MM-DD') within its year, counting January 1 as 1."""
    import datetime
    return datetime.date.fromisoformat(d).timetuple().tm_yday


@atomic(tests=["assert format_date_us('2024-07-04') == '07/04/2024'"], types=DATE)
def format_date_us(d: str) -> str:
    """Rewrite the date d from 'YYYY-MM-DD' to the US form 'MM/DD/YYYY'."""
    return "%s/%s/%s" % (d[5:7], d[8:10], d[:4])


@atomic(tests=["assert parse_ints('a1b-22c 333') == [1, -22, 333]", "assert parse_ints('none') == []",
               "assert parse_ints('5--3') == [5, -3]"],
        gen=lambda rng: ("".join(rng.choice("ab -0123456789,") for _ in range(rng.randint(0, 14))),))
def parse_ints(s: str) -> list[int]:
    """Return, in order, the integers written in s: each maximal run of decimal digits, negative when a
    '-' immediately precedes it, is one integer (other characters separate them)."""
    import re
    return [int(m) for m in re.findall(r"-?[0-9]+", s)]


@atomic(tests=["assert parse_duration('1h 30m') == 5400", "assert parse_duration('90s2m') == 210",
               "assert parse_duration('soon') == 0"],
        gen=lambda rng: (" ".join("%d%s" % (rng.randint(0, 99), rng.choice("hms"))
                                  for _ in range(rng.randint(0, 3))),))
def parse_duration(s: str) -> int:
    """Return the total number of seconds in the duration s: every decimal number immediately followed by
    'h', 'm' or 's' counts as that many hours, minutes or seconds; anything else is ignored."""
    import re
    unit = {"h": 3600, "m": 60, "s": 1}
    return sum(int(n) * unit[u] for n, u in re.findall(r"([0-9]+)([hms])", s))


@atomic(tests=["assert minutes_to_clock(75) == '01:15'", "assert minutes_to_clock(-1) == '23:59'",
               "assert minutes_to_clock(1440) == '00:00'"])
def minutes_to_clock(m: int) -> str:
    """Return the 24-hour clock time 'HH:MM' reached m minutes after midnight, wrapping around every day
    (a negative m counts back from midnight)."""
    m %= 1440
    return "%02d:%02d" % (m // 60, m % 60)
