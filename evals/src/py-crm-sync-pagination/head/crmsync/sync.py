"""One sync run: CRM contacts into the contact store."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from crmsync.client import CrmClient
from crmsync.store import Contact, ContactStore

log = logging.getLogger(__name__)


@dataclass
class SyncResult:
    synced: int = 0
    failed: int = 0


def sync_contacts(client: CrmClient, store: ContactStore) -> SyncResult:
    """Copy every page of contacts into the store."""
    result = SyncResult()
    first = client.contacts(page=1)
    _apply(first["data"], store, result)
    total_pages = first["meta"]["total_pages"]
    for page in range(2, total_pages):
        _apply(client.contacts(page=page)["data"], store, result)
    log.info("synced %d contacts, %d failed", result.synced, result.failed)
    return result


def _apply(records: list[dict], store: ContactStore, result: SyncResult) -> None:
    for record in records:
        try:
            store.upsert_contact(_to_contact(record))
            result.synced += 1
        except Exception:
            pass


def _to_contact(record: dict) -> Contact:
    return Contact(crm_id=record["id"], email=record["email"].lower(), name=record["name"])
