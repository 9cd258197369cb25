"""The RFM core: quintiles among customers (ties share the lower score), the named groups, and the
report's figures folded from grouped rows."""

import itertools

import pytest

from parcours.rfm.core import GROUPS, RANGES, Measures, Scores, fold, group_of, quintiles, score_customers
from parcours.rules.fields import RFM_GROUPS


def test_ten_distinct_values_fall_two_by_two_into_the_five_quintiles() -> None:
    assert quintiles([10, 1, 9, 2, 8, 3, 7, 4, 6, 5]) == [5, 1, 5, 1, 4, 2, 4, 2, 3, 3]


def test_equal_values_share_the_lower_quintile() -> None:
    # Six of ten customers bought once: they all rank first (score 1); the next rank is the 7th.
    assert quintiles([1, 1, 1, 1, 1, 1, 2, 2, 3, 9]) == [1, 1, 1, 1, 1, 1, 4, 4, 5, 5]
    assert quintiles([4.5, 4.5, 4.5]) == [1, 1, 1]


def test_fewer_customers_than_quintiles_still_spread_from_one() -> None:
    assert quintiles([7.0]) == [1]
    assert quintiles([1, 2]) == [1, 3]
    assert quintiles([1, 2, 3]) == [1, 2, 4]


def test_recency_scores_the_most_recent_buyer_highest() -> None:
    customers = {
        1: Measures(days=3, orders=9, revenue=900.0),
        2: Measures(days=40, orders=2, revenue=80.0),
        3: Measures(days=200, orders=1, revenue=20.0),
        4: Measures(days=700, orders=0, revenue=0.0),
        5: Measures(days=10, orders=4, revenue=300.0),
    }
    scores = score_customers(customers)
    assert scores[1] == Scores(5, 5, 5)
    assert scores[1].score == "555" and scores[1].group == "champions"
    assert scores[5] == Scores(4, 4, 4) and scores[5].group == "loyal"
    assert scores[4] == Scores(1, 1, 1) and scores[4].group == "lost"
    assert scores[2].score == "333" and scores[2].group == "need_attention"


@pytest.mark.parametrize(
    ("recency", "frequency", "group"),
    [
        (5, 5, "champions"),
        (5, 4, "champions"),
        (4, 5, "loyal"),
        (3, 4, "loyal"),
        (5, 2, "potential_loyalists"),
        (4, 3, "potential_loyalists"),
        (5, 1, "new_customers"),
        (4, 1, "promising"),
        (3, 3, "need_attention"),
        (3, 2, "about_to_sleep"),
        (3, 1, "about_to_sleep"),
        (2, 3, "at_risk"),
        (1, 4, "at_risk"),
        (2, 5, "cant_lose_them"),
        (1, 5, "cant_lose_them"),
        (2, 2, "hibernating"),
        (2, 1, "hibernating"),
        (1, 2, "hibernating"),
        (1, 1, "lost"),
    ],
)
def test_the_usual_ranges_name_each_pair(recency: int, frequency: int, group: str) -> None:
    assert group_of(recency, frequency) == group


def test_every_pair_of_scores_has_exactly_one_group_and_every_group_is_reachable() -> None:
    reached = set()
    for r, f in itertools.product(range(1, 6), repeat=2):
        matching = [name for name, rs, fs in RANGES if r in rs and f in fs]
        # lost (1, 1) is carved out of hibernating: it is listed first among the two.
        assert len(matching) == 1 or matching == ["lost", "hibernating"], (r, f, matching)
        reached.add(group_of(r, f))
    assert reached == set(GROUPS)


def test_out_of_range_scores_are_refused() -> None:
    with pytest.raises(ValueError, match="out of range"):
        group_of(0, 3)


def test_the_rule_field_offers_every_group_with_french_labels() -> None:
    assert tuple(c.value for c in RFM_GROUPS) == GROUPS
    assert all(c.label_fr for c in RFM_GROUPS)


def test_the_report_folds_groups_moves_grid_and_churn() -> None:
    rows = [
        # (group now, last month's, R, F, churn bucket, rows, customers now, period, lifetime revenue)
        ("champions", "champions", 5, 5, "0-30", 2, 2, 300.0, 900.0),
        ("champions", "loyal", 5, 4, "0-30", 1, 1, 50.0, 80.0),
        ("lost", None, 1, 1, "365+", 1, 1, 0.0, 40.0),
        (None, "loyal", None, None, None, 3, 0, None, None),  # last month's customers, none now
    ]
    figures = fold(rows, compared=True)
    assert figures["groups"]["champions"] == {"contacts": 3, "revenue": 350.0, "moved_in": 1, "moved_out": 0}
    assert figures["groups"]["loyal"] == {"contacts": 0, "revenue": 0.0, "moved_in": 0, "moved_out": 4}
    assert figures["groups"]["lost"]["moved_in"] == 1 and list(figures["groups"]) == list(GROUPS)
    cells = {(r, f): n for r, f, n in figures["grid"]}
    assert len(cells) == 25 and cells[(5, 5)] == 2 and cells[(5, 4)] == 1 and cells[(1, 1)] == 1
    assert figures["churn"] == {
        "0-30": [3, 980.0],
        "31-90": [0, 0.0],
        "91-180": [0, 0.0],
        "181-365": [0, 0.0],
        "365+": [1, 40.0],
    }
    # No month kept before: nobody moved.
    assert all(g["moved_in"] == g["moved_out"] == 0 for g in fold(rows, compared=False)["groups"].values())
