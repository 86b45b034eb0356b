import { Router } from "express";
import { Pool } from "pg";
import { config } from "../config";
import { OrderRow, serializeOrder } from "../serializers/order";

const pool = new Pool({ connectionString: config.databaseUrl });
export const orders = Router();

orders.get("/", async (req, res, next) => {
  const page = Math.max(1, Number(req.query.page) || 1);
  try {
    const { rows } = await pool.query<OrderRow>(
      "SELECT id, status, total_cents, currency, created_at FROM orders ORDER BY id LIMIT $1 OFFSET $2",
      [config.pageSize, (page - 1) * config.pageSize],
    );
    res.json({ page, orders: rows.map(serializeOrder) });
  } catch (err) {
    next(err);
  }
});

orders.get("/:id", async (req, res, next) => {
  try {
    const { rows } = await pool.query<OrderRow>(
      "SELECT id, status, total_cents, currency, created_at FROM orders WHERE id = $1",
      [Number(req.params.id)],
    );
    if (rows.length === 0) {
      res.status(404).json({ error: "order not found" });
      return;
    }
    res.json(serializeOrder(rows[0]));
  } catch (err) {
    next(err);
  }
});
