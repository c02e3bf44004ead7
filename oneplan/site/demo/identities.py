"""Made-up identities that stay valid and unique: National Insurance prefixes HMRC
allocates, scrambled but collision-free number sequences, and birthdays a number of years
before a date."""

from __future__ import annotations

import datetime
import math
import random


def years_before(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February in a year that has none
        return day.replace(year=day.year - years, day=28)


class Permutation:
    """Distinct numbers 0..size-1 in a scrambled but reproducible order.

    An affine map i -> (a*i + b) mod size with gcd(a, size) = 1 is a bijection, so
    identifiers drawn from it never collide however many are needed.
    """

    def __init__(self, rng: random.Random, size: int) -> None:
        self.size = size
        self.a = rng.randrange(size // 3, size)
        while math.gcd(self.a, size) != 1:
            self.a += 1
        self.b = rng.randrange(size)
        self.i = 0

    def next(self) -> int:
        if self.i >= self.size:
            raise RuntimeError("identifier space exhausted")
        value = (self.a * self.i + self.b) % self.size
        self.i += 1
        return value


def ni_prefixes() -> list[str]:
    # HMRC NIM39110: D, F, I, Q, U, V never used; O never second; some pairs unallocated.
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    barred = set("DFIQUV")
    unallocated = {"BG", "GB", "KN", "NK", "NT", "TN", "ZZ"}
    return [
        a + b
        for a in letters
        for b in letters
        if a not in barred and b not in barred and b != "O" and a + b not in unallocated
    ]
