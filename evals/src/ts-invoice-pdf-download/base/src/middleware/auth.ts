import type { NextFunction, Request, Response } from "express";
import { pool } from "../db";

declare global {
  namespace Express {
    interface Request {
      user?: { id: number; accountId: number };
    }
  }
}

/** 401 unless the request carries a live session; sets `req.user`. */
export async function requireUser(req: Request, res: Response, next: NextFunction) {
  const token = req.get("authorization")?.replace(/^Bearer /, "");
  if (!token) {
    res.status(401).json({ error: "sign in first" });
    return;
  }
  try {
    const { rows } = await pool.query(
      "SELECT user_id, account_id FROM sessions WHERE token = $1 AND expires_at > now()",
      [token],
    );
    if (rows.length === 0) {
      res.status(401).json({ error: "session expired" });
      return;
    }
    req.user = { id: rows[0].user_id, accountId: rows[0].account_id };
    next();
  } catch (err) {
    next(err);
  }
}
