"""Who an anonymous visitor is: the merge rules, with no I/O.

- A visitor not yet linked is attached to the contact that identifies it: its anonymous history
  is copied to that contact (with its original times), once.
- The known contact always survives: tracking never creates a person out of a visitor, never
  moves a contact's history to an anonymous profile, and never merges two contacts.
- A visitor already linked to contact A and then identified as contact B (a shared computer, a
  forwarded email) is not merged: A keeps everything it has; the anonymous id is re-pointed to B
  for the future (the newest identification tells who uses that browser now), unless the link to
  A was checked (email click, the site's backend, a confirmed opt-in) and B is only claimed (an
  address typed in a form, which anyone can type): a claim never takes a checked link away.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Final

# How an identification was made, and whether it proves who holds the browser.
CHECKED: Final = frozenset({"email_click", "api", "form_confirmed"})
CLAIMED: Final = frozenset({"form"})
SOURCES: Final = CHECKED | CLAIMED


class Decision(StrEnum):
    ATTACH = "attach"  # link the visitor to the contact and copy its anonymous history
    SAME = "same"  # already this contact's (the stronger proof is kept)
    REPOINT = "repoint"  # another contact's: future views go to the new one, nothing is merged
    KEEP = "keep"  # another contact's by a checked link: a mere claim changes nothing


def is_checked(source: str) -> bool:
    return source in CHECKED


def decide(linked_to: int | None, linked_checked: bool, contact_id: int, source: str) -> Decision:
    """What an identification of a visitor as `contact_id` by `source` does, given whom the visitor
    is linked to now (None: nobody) and whether that link was checked."""
    if source not in SOURCES:
        raise ValueError(f"unknown identification source {source!r}")
    if linked_to is None:
        return Decision.ATTACH
    if linked_to == contact_id:
        return Decision.SAME
    if linked_checked and not is_checked(source):
        return Decision.KEEP
    return Decision.REPOINT


def still_checked(decision: Decision, linked_checked: bool, source: str) -> bool:
    """Whether the visitor's link is checked after the decision."""
    if decision is Decision.SAME:
        return linked_checked or is_checked(source)
    if decision is Decision.KEEP:
        return linked_checked
    return is_checked(source)
