ALTER TABLE invoices ADD COLUMN reminded_at timestamptz;
