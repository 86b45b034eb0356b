import type { NextFunction, Request, Response } from "express";
import { pool } from "../db";

/** Sets `req.user` when the request carries a live session cookie; never rejects. */
export async function session(req: Request, _res: Response, next: NextFunction) {
  const token = /(?:^|;\s*)sid=([^;]+)/.exec(req.get("cookie") ?? "")?.[1];
  if (!token) return next();
  try {
    const { rows } = await pool.query<{ user_id: number }>(
      "SELECT user_id FROM sessions WHERE token = $1 AND expires_at > now()",
      [token],
    );
    if (rows.length > 0) req.user = { id: rows[0].user_id };
    next();
  } catch (err) {
    next(err);
  }
}
