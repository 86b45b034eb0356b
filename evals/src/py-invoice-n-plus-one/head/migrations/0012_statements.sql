CREATE TABLE statements (
    customer_id bigint NOT NULL REFERENCES customers (id),
    month       date NOT NULL,
    balance     numeric(12, 2) NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (customer_id, month)
);
