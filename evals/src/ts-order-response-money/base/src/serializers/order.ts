export interface OrderRow {
  id: number;
  status: string;
  total_cents: number;
  currency: string;
  created_at: Date;
}

/** The JSON body of one order in /v1 responses. */
export function serializeOrder(row: OrderRow) {
  return {
    id: row.id,
    status: row.status,
    total_cents: row.total_cents,
    currency: row.currency,
    created_at: row.created_at.toISOString(),
  };
}
