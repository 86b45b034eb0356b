-- 0006: explicit order state; legacy_status is kept for the reporting export until it moves.
ALTER TABLE orders ADD COLUMN state text NOT NULL DEFAULT 'placed';
