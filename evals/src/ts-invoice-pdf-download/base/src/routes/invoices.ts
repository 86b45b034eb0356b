import { Router } from "express";
import { pool } from "../db";
import { requireUser } from "../middleware/auth";

export const invoices = Router();

/** The signed-in account's 100 most recent invoices. */
invoices.get("/", requireUser, async (req, res, next) => {
  try {
    const { rows } = await pool.query(
      "SELECT id, number, total_cents, issued_at FROM invoices WHERE account_id = $1 ORDER BY issued_at DESC LIMIT 100",
      [req.user!.accountId],
    );
    res.json(rows);
  } catch (err) {
    next(err);
  }
});
