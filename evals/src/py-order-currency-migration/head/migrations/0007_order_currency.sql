-- 0007: orders carry their currency; the old status column is gone.
ALTER TABLE orders ADD COLUMN currency char(3) NOT NULL;

ALTER TABLE orders DROP COLUMN legacy_status;

COMMENT ON COLUMN orders.currency IS 'ISO 4217 code, upper case';
