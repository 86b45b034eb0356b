CREATE TABLE invoices (
    id       bigserial PRIMARY KEY,
    user_id  bigint NOT NULL REFERENCES users (id),
    number   text NOT NULL UNIQUE,
    due_at   timestamptz NOT NULL,
    paid_at  timestamptz
);
CREATE INDEX invoices_user_id_idx ON invoices (user_id);
