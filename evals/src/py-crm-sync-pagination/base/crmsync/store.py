"""Where synced contacts go."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Contact:
    crm_id: str
    email: str
    name: str


class ContactStore:
    def __init__(self, conn) -> None:
        self.conn = conn

    def upsert_contact(self, contact: Contact) -> None:
        """Insert or update by crm_id. Raises psycopg.IntegrityError on a duplicate email."""
        self.conn.execute(
            "INSERT INTO contacts (crm_id, email, name) VALUES (%s, %s, %s)"
            " ON CONFLICT (crm_id) DO UPDATE SET email = EXCLUDED.email, name = EXCLUDED.name",
            (contact.crm_id, contact.email, contact.name),
        )
