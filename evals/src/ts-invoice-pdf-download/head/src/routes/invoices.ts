import { Router } from "express";
import { pool } from "../db";
import { requireUser } from "../middleware/auth";
import { getObject } from "../storage";

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

/** The PDF of one invoice, as a download. */
invoices.get("/:id/pdf", requireUser, async (req, res) => {
  const id = Number(req.params.id);
  if (!Number.isInteger(id) || id <= 0) {
    res.status(400).json({ error: "invalid invoice id" });
    return;
  }
  try {
    const { rows } = await pool.query(
      "SELECT number, pdf_key FROM invoices WHERE id = $1",
      [id],
    );
    if (rows.length === 0) {
      res.status(404).json({ error: "invoice not found" });
      return;
    }
    const pdf = await getObject(rows[0].pdf_key);
    res.type("application/pdf");
    res.setHeader("Content-Disposition", `attachment; filename="invoice-${rows[0].number}.pdf"`);
    res.send(Buffer.from(pdf));
  } catch (err) {
    const e = err as Error;
    res.status(500).json({ error: e.message, stack: e.stack });
  }
});
