"""The match keys and what a merge keeps: pure."""

from __future__ import annotations

import pytest

from parcours.contacts.matching import email_key, merged_fields, most_restrictive, person_key, unknown_choices


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("jean.dupont@gmail.com", "jeandupont@gmail.com"),
        ("jean.dupont+news@gmail.com", "jeandupont@gmail.com"),
        ("j.e.a.n.dupont@googlemail.com", "jeandupont@gmail.com"),
        ("marie+promo@outlook.com", "marie@outlook.com"),
        ("marie+a+b@hotmail.fr", "marie@hotmail.fr"),
        ("paul+x@me.com", "paul@icloud.com"),
        ("anne+shop@protonmail.com", "anne@proton.me"),
        ("bob-spam@yahoo.com", "bob@yahoo.com"),
    ],
)
def test_the_same_mailbox_has_one_key(one: str, other: str) -> None:
    assert email_key(one) == email_key(other)


@pytest.mark.parametrize(
    ("one", "other"),
    [
        # Dots matter outside Gmail, and so do tags where the provider keeps them.
        ("jean.dupont@example.org", "jeandupont@example.org"),
        ("jean+news@example.org", "jean@example.org"),
        ("marie.curie@outlook.com", "mariecurie@outlook.com"),
        ("jean@gmail.com", "jean@gmail.fr"),
        ("bob+tag@yahoo.com", "bob@yahoo.com"),
    ],
)
def test_different_mailboxes_keep_different_keys(one: str, other: str) -> None:
    assert email_key(one) != email_key(other)


def test_a_key_is_never_empty() -> None:
    assert email_key("+@gmail.com") == "+@gmail.com"
    assert email_key("not-an-address") == "not-an-address"


def test_person_keys_fold_names_and_need_both() -> None:
    assert person_key("Élodie", "Martin") == person_key("elodie", "MARTIN") == "elodie|martin"
    assert person_key("Jean-Pierre", "Dupont") == person_key("jean pierre", "dupont")
    assert person_key("Élodie", None) is None
    assert person_key(" ", "Martin") is None


def test_the_survivor_wins_the_other_fills_gaps_and_picks_are_honoured() -> None:
    survivor = {"first_name": "Ada", "last_name": None, "city": "", "lifecycle_stage": "subscriber", "custom": {"a": 1}}
    other = {
        "first_name": "Augusta",
        "last_name": "King",
        "city": "London",
        "job_title": "Analyst",
        "lifecycle_stage": "lead",
        "custom": {"a": 2, "b": 3},
    }
    changes, custom = merged_fields(survivor, other, {})
    assert changes == {"last_name": "King", "city": "London", "job_title": "Analyst", "lifecycle_stage": "lead"}
    assert custom == {"a": 1, "b": 3}
    changes, custom = merged_fields(survivor, other, {"first_name": "other", "city": "survivor", "custom.a": "other"})
    assert changes["first_name"] == "Augusta" and "city" not in changes
    assert custom == {"a": 2, "b": 3}
    # Picking the other's empty value empties the field.
    changes, custom = merged_fields(
        {**survivor, "phone": "+33612345678"}, other, {"phone": "other", "custom.a": "other"}
    )
    assert changes["phone"] is None and custom == {"a": 2, "b": 3}
    _, custom = merged_fields(survivor, {"custom": {}}, {"custom.a": "other"})
    assert custom == {}


def test_the_most_restrictive_consent_stays() -> None:
    survivor = {
        "consent_level": "profiling",
        "email_opt_in": True,
        "sms_opt_in": True,
        "unsubscribed": False,
        "bounced": False,
    }
    other = {
        "consent_level": "marketing",
        "email_opt_in": True,
        "sms_opt_in": False,
        "unsubscribed": True,
        "bounced": True,
    }
    assert most_restrictive(survivor, other) == {
        "consent_level": "marketing",
        "email_opt_in": True,
        "sms_opt_in": False,
        "unsubscribed": True,
        "bounced": True,
    }
    assert most_restrictive(survivor, survivor) == survivor


def test_consent_and_computed_fields_cannot_be_picked() -> None:
    assert unknown_choices({"unsubscribed": "other", "opens_30d": "other", "email": "other"}, []) == [
        "opens_30d",
        "unsubscribed",
    ]
    assert unknown_choices({"custom.size": "other", "custom.gone": "other"}, ["size"]) == ["custom.gone"]
