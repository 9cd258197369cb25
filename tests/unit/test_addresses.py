"""The everyday-address fast path agrees with email-validator on everything it accepts."""

import pytest
from email_validator import EmailNotValidError, validate_email
from hypothesis import example, given, settings
from hypothesis import strategies as st

from parcours.addresses import _plain, normalize_email

ATOM = st.text(alphabet="abcXYZ019_%+'-.", min_size=1, max_size=12)
LABEL = st.text(alphabet="abxnz09-", min_size=1, max_size=10)
TLD = st.sampled_from(["fr", "com", "io", "Org", "test", "local", "c", "x1", "museum", "onion"])
NEAR_PLAIN = st.builds(
    lambda local, labels, tld: f"{local}@{'.'.join(labels)}.{tld}" if labels else f"{local}@{tld}",
    ATOM,
    st.lists(LABEL, max_size=3),
    TLD,
)


def validator_says(address: str) -> str | None:
    try:
        return validate_email(address, check_deliverability=False, allow_smtputf8=True).normalized.lower()
    except EmailNotValidError:
        return None


@settings(max_examples=3000)
@example("0@00--0.fr")  # a label with two dashes third and fourth is reserved for Punycode
@example("a@xn--bcher-kva.example")
@given(st.one_of(NEAR_PLAIN, st.emails(), st.text(max_size=40)))
def test_what_the_fast_path_accepts_email_validator_accepts_alike(address: str) -> None:
    fast = _plain(address)
    if fast is not None:
        assert validator_says(address) == fast


@pytest.mark.parametrize(
    "address",
    ["jean.dupont@example.fr", "Marie-Claire+news@Mail.Example.COM", "o'neil@sub-domain.example.org", "a_b%c@x9.io"],
)
def test_everyday_addresses_take_the_fast_path(address: str) -> None:
    assert _plain(address) == validator_says(address) == address.lower()


@pytest.mark.parametrize(
    "address",
    [
        "a..b@example.fr",
        ".a@example.fr",
        "a@-example.fr",
        "a@example.local",
        "a@localhost",
        "a@example.123",
        "a@exa_mple.fr",
    ],
)
def test_unusual_addresses_are_left_to_email_validator(address: str) -> None:
    assert _plain(address) is None
    with pytest.raises(ValueError):
        normalize_email(address)


def test_international_addresses_still_pass() -> None:
    assert normalize_email("Zoé@Exemple.fr") == "zoé@exemple.fr"
