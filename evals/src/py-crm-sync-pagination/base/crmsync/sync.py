"""One sync run: CRM contacts into the contact store."""

from __future__ import annotations

import logging

from crmsync.client import CrmClient
from crmsync.store import Contact, ContactStore

log = logging.getLogger(__name__)


def sync_contacts(client: CrmClient, store: ContactStore) -> int:
    """Copy the first page of contacts; returns how many were written."""
    page = client.contacts(page=1)
    for record in page["data"]:
        store.upsert_contact(_to_contact(record))
    log.info("synced %d contacts", len(page["data"]))
    return len(page["data"])


def _to_contact(record: dict) -> Contact:
    return Contact(crm_id=record["id"], email=record["email"].lower(), name=record["name"])
