"""RFM without I/O: quintile scores among customers, the named group of an R and F score, and the
report's figures (groups, moves, grid, churn) from grouped rows.

A score is the quintile of the customer's rank among all customers, ties sharing the lower one:
score = 1 + floor(5 * (rank - 1) / customers), where rank is 1 for the worst value (the most
days since the last purchase, the fewest orders, the least revenue) and equal values share the
lowest rank. Ties never split between two scores, so the same history always gives the same
score, in Python and in SQL (`rank()` over the same order; see rfm.service)."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

GROUPS: tuple[str, ...] = (
    "champions",
    "loyal",
    "potential_loyalists",
    "new_customers",
    "promising",
    "need_attention",
    "about_to_sleep",
    "at_risk",
    "cant_lose_them",
    "hibernating",
    "lost",
)

# (group, recency scores, frequency scores): the usual map on R and F; every pair is in one range.
RANGES: tuple[tuple[str, frozenset[int], frozenset[int]], ...] = (
    ("champions", frozenset({5}), frozenset({4, 5})),
    ("loyal", frozenset({3, 4}), frozenset({4, 5})),
    ("potential_loyalists", frozenset({4, 5}), frozenset({2, 3})),
    ("new_customers", frozenset({5}), frozenset({1})),
    ("promising", frozenset({4}), frozenset({1})),
    ("need_attention", frozenset({3}), frozenset({3})),
    ("about_to_sleep", frozenset({3}), frozenset({1, 2})),
    ("at_risk", frozenset({1, 2}), frozenset({3, 4})),
    ("cant_lose_them", frozenset({1, 2}), frozenset({5})),
    ("lost", frozenset({1}), frozenset({1})),
    ("hibernating", frozenset({1, 2}), frozenset({1, 2})),
)


def group_of(recency: int, frequency: int) -> str:
    """The named group of an R and F score (1 to 5 each)."""
    for name, rs, fs in RANGES:
        if recency in rs and frequency in fs:
            return name
    raise ValueError(f"RFM scores out of range: R={recency} F={frequency}")


@dataclass(frozen=True)
class Measures:
    """A customer's history: days since the last purchase (any time), orders and revenue in the period."""

    days: int
    orders: int
    revenue: float


@dataclass(frozen=True)
class Scores:
    recency: int
    frequency: int
    monetary: int

    @property
    def score(self) -> str:
        return f"{self.recency}{self.frequency}{self.monetary}"

    @property
    def group(self) -> str:
        return group_of(self.recency, self.frequency)


def quintiles(values: Sequence[float]) -> list[int]:
    """The 1-5 score of each value among `values` (higher is better), ties sharing the lower score."""
    count = len(values)
    order = sorted(values)
    first_rank: dict[float, int] = {}
    for position, value in enumerate(order, start=1):
        first_rank.setdefault(value, position)
    return [1 + (5 * (first_rank[v] - 1)) // count for v in values]


def score_customers(customers: Mapping[int, Measures]) -> dict[int, Scores]:
    """Each customer's scores among these customers (recency: fewer days is better)."""
    ids = list(customers)
    recency = quintiles([-customers[i].days for i in ids])
    frequency = quintiles([customers[i].orders for i in ids])
    monetary = quintiles([customers[i].revenue for i in ids])
    return {i: Scores(r, f, m) for i, r, f, m in zip(ids, recency, frequency, monetary, strict=True)}


# Churn risk: customers by whole days since their last purchase, (name, lowest, highest).
CHURN: tuple[tuple[str, int, int | None], ...] = (
    ("0-30", 0, 30),
    ("31-90", 31, 90),
    ("91-180", 91, 180),
    ("181-365", 181, 365),
    ("365+", 366, None),
)


def fold(rows: Iterable[Sequence[Any]], compared: bool) -> dict[str, Any]:
    """The report's figures from grouped rows (group now, group last month, R, F, churn bucket,
    rows, customers now, period revenue, lifetime revenue), as JSON: by group the contacts, revenue
    and moves (`compared`: last month's groups were kept), the R x F grid and the churn buckets."""
    counts: Counter[str] = Counter()
    moved_in: Counter[str] = Counter()
    moved_out: Counter[str] = Counter()
    cells: Counter[tuple[int, int]] = Counter()
    revenue: dict[str, float] = defaultdict(float)
    churn: dict[str, list[float]] = defaultdict(lambda: [0, 0.0])
    for now_in, was_in, r, f, bucket, pairs, customers, period, lifetime in rows:
        if now_in is not None:
            counts[now_in] += customers
            revenue[now_in] += float(period or 0)
            cells[(r, f)] += customers
            if bucket is not None:
                churn[bucket][0] += customers
                churn[bucket][1] += float(lifetime or 0)
        if compared and now_in != was_in:
            if now_in is not None:
                moved_in[now_in] += customers
            if was_in is not None:
                moved_out[was_in] += pairs
    return {
        "groups": {
            g: {"contacts": counts[g], "revenue": revenue[g], "moved_in": moved_in[g], "moved_out": moved_out[g]}
            for g in GROUPS
        },
        "grid": [[r, f, cells[(r, f)]] for r in range(1, 6) for f in range(1, 6)],
        "churn": {name: [int(churn[name][0]), churn[name][1]] for name, _, _ in CHURN},
    }
