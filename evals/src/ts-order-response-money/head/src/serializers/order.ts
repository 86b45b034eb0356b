export interface OrderRow {
  id: number;
  status: string;
  total_cents: number;
  currency: string;
  created_at: Date;
}

export interface Money {
  /** Minor units (cents), as an integer. */
  amount: number;
  /** ISO 4217 code. */
  currency: string;
}

/** The JSON body of one order in /v1 responses. */
export function serializeOrder(row: OrderRow) {
  const total: Money = { amount: row.total_cents, currency: row.currency };
  return {
    id: row.id,
    status: row.status,
    total,
    createdAt: row.created_at.toISOString(),
  };
}
