import logging
import os

import psycopg

from crmsync.client import CrmClient
from crmsync.store import ContactStore
from crmsync.sync import sync_contacts

logging.basicConfig(level=logging.INFO)
with psycopg.connect(os.environ["CRM_SYNC_DSN"]) as conn:
    sync_contacts(CrmClient(os.environ["CRM_URL"], os.environ["CRM_TOKEN"]), ContactStore(conn))
