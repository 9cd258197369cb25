"""Contacts as other features use them: one import for finding, listing, creating and changing
contacts, their consent history, the fields others compute, and the SQL others compose.

Each job lives in its own module (lookup, listing, editing, consent, bulk, computed, selections);
this one only gathers what other features call, so they import `contacts.service` alone."""

from __future__ import annotations

from parcours.contacts.behavioural import (
    Combine,
    Kind,
    add_values,
    forget_contact,
    forget_values,
    store_values,
    values_of,
    with_values,
)
from parcours.contacts.bulk import (
    create_minimal,
    insert_many,
    lock_in_id_order,
    move_stage_for_select,
)
from parcours.contacts.computed import (
    RFM_COLUMNS,
    remove_scores,
    rfm_of,
    set_computed,
    set_rfm_from,
    set_scores,
    set_scores_from,
)
from parcours.contacts.consent import consent_history, how, insert_consent_rows, record_consent
from parcours.contacts.custom_fields import list_fields as list_custom_fields
from parcours.contacts.editing import STAGE_CHANGED, create_contact, lead_origin_of, update_contact
from parcours.contacts.leads import lead_counts
from parcours.contacts.listing import MAX_PAGE, iterate_contacts, list_contacts
from parcours.contacts.lookup import (
    contact_out,
    contacts_by_ids,
    count_contacts,
    count_created_before,
    created_per_day,
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
from parcours.contacts.reporting import consent_events_table, contacts_table, rfm_table, tombstones_table
from parcours.contacts.selections import (
    MemberOf,
    RuleColumns,
    date_values,
    id_between,
    id_bounds,
    ids_among,
    matching_ids,
    new_leads,
    rule_rows,
    rule_rows_with,
    searched,
    with_addresses,
    with_consent,
)

__all__ = [
    "MAX_PAGE",
    "RFM_COLUMNS",
    "STAGE_CHANGED",
    "Combine",
    "Kind",
    "MemberOf",
    "RuleColumns",
    "add_values",
    "consent_events_table",
    "consent_history",
    "contact_out",
    "contacts_by_ids",
    "contacts_table",
    "count_contacts",
    "count_created_before",
    "create_contact",
    "create_minimal",
    "created_per_day",
    "date_values",
    "email_among",
    "existing_ids",
    "find_by_email",
    "find_by_emails",
    "forget_contact",
    "forget_values",
    "get_contact",
    "how",
    "id_between",
    "id_bounds",
    "ids_among",
    "ids_by_email",
    "insert_consent_rows",
    "insert_many",
    "iterate_contacts",
    "lead_counts",
    "lead_origin_of",
    "list_contacts",
    "list_custom_fields",
    "lock_in_id_order",
    "matching_ids",
    "merged_into",
    "move_stage_for_select",
    "new_leads",
    "reached",
    "record_consent",
    "remove_scores",
    "rfm_of",
    "rfm_table",
    "rule_rows",
    "rule_rows_with",
    "same_person_among",
    "searched",
    "set_computed",
    "set_rfm_from",
    "set_scores",
    "set_scores_from",
    "stage_counts",
    "store_values",
    "tombstones_table",
    "update_contact",
    "values_of",
    "with_addresses",
    "with_consent",
    "with_values",
]
