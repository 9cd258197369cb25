"""Contacts as other features use them: one import for finding, listing, creating and changing
contacts, their consent history, the fields others compute, and the SQL others compose.

Each job lives in its own module (lookup, listing, editing, consent, bulk, computed, selections);
this one only gathers what other features call, so they import `contacts.service` alone."""

from __future__ import annotations

from parcours.contacts.bulk import (
    create_minimal,
    insert_many,
    lock_in_id_order,
    move_stage_for_select,
)
from parcours.contacts.computed import (
    RFM_COLUMNS,
    forget_value,
    remove_scores,
    rfm_of,
    set_computed,
    set_rfm_from,
    set_scores,
    set_scores_from,
    set_value_from,
    set_values_from_many,
)
from parcours.contacts.consent import consent_history, how, insert_consent_rows, record_consent
from parcours.contacts.editing import STAGE_CHANGED, create_contact, lead_origin_of, update_contact
from parcours.contacts.listing import MAX_PAGE, iterate_contacts, list_contacts
from parcours.contacts.lookup import (
    contact_out,
    contacts_by_ids,
    count_contacts,
    email_among,
    existing_ids,
    find_by_email,
    find_by_emails,
    get_contact,
    ids_by_email,
    merged_into,
    reached,
    same_person_among,
    stage_counts,
)
from parcours.contacts.selections import (
    MemberOf,
    RuleColumns,
    date_values,
    id_between,
    id_bounds,
    ids_among,
    matching_ids,
    rule_rows,
    rule_rows_with,
    table,
    with_addresses,
    with_consent,
    with_rule_joins,
)

__all__ = [
    "MAX_PAGE",
    "RFM_COLUMNS",
    "STAGE_CHANGED",
    "MemberOf",
    "RuleColumns",
    "consent_history",
    "contact_out",
    "contacts_by_ids",
    "count_contacts",
    "create_contact",
    "create_minimal",
    "date_values",
    "email_among",
    "existing_ids",
    "find_by_email",
    "find_by_emails",
    "forget_value",
    "get_contact",
    "how",
    "id_between",
    "id_bounds",
    "ids_among",
    "ids_by_email",
    "insert_consent_rows",
    "insert_many",
    "iterate_contacts",
    "lead_origin_of",
    "list_contacts",
    "lock_in_id_order",
    "matching_ids",
    "merged_into",
    "move_stage_for_select",
    "reached",
    "record_consent",
    "remove_scores",
    "rfm_of",
    "rule_rows",
    "rule_rows_with",
    "same_person_among",
    "set_computed",
    "set_rfm_from",
    "set_scores",
    "set_scores_from",
    "set_value_from",
    "set_values_from_many",
    "stage_counts",
    "table",
    "update_contact",
    "with_addresses",
    "with_consent",
    "with_rule_joins",
]
