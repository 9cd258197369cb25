"""Which stream batches are scored set-wise (an import) and which contact by contact."""

from types import SimpleNamespace

from parcours.scoring.tasks import SET_WISE_FROM, set_wise_range


def batch(ids: list[int], kind: str = "contact_created") -> tuple[list[SimpleNamespace], dict[int, str]]:
    return [SimpleNamespace(contact_id=i, type=kind) for i in ids], {i: kind for i in ids}


def test_an_import_of_consecutive_new_contacts_is_scored_set_wise() -> None:
    rows, reasons = batch(list(range(1000, 1000 + SET_WISE_FROM)))
    assert set_wise_range(rows, reasons, {"email_clicked"}) == (1000, 1000 + SET_WISE_FROM)


def test_small_scattered_or_behavioural_batches_are_scored_one_by_one() -> None:
    rows, reasons = batch(list(range(10, 10 + SET_WISE_FROM - 1)))
    assert set_wise_range(rows, reasons, set()) is None  # too few
    rows, reasons = batch(list(range(0, 10 * SET_WISE_FROM, 10)))
    assert set_wise_range(rows, reasons, set()) is None  # ids far apart: the range would be mostly others
    rows, reasons = batch(list(range(SET_WISE_FROM * 2)))
    rows.append(SimpleNamespace(contact_id=3, type="email_clicked"))
    assert set_wise_range(rows, reasons, {"email_clicked"}) is None  # behaviour: sales may need telling
