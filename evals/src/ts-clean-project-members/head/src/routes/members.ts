import { Router } from "express";
import { pool } from "../db";
import { requireProjectRole } from "../middleware/projectAccess";

export const members = Router({ mergeParams: true });

const MEMBER_COLUMNS = "u.id, u.display_name, m.role, m.created_at";
const DEFAULT_LIMIT = 50;
const MAX_LIMIT = 200;

interface MemberRow {
  id: number;
  display_name: string;
  role: string;
  created_at: Date;
}

function parseLimit(raw: unknown): number {
  const n = typeof raw === "string" ? Number.parseInt(raw, 10) : NaN;
  return Number.isInteger(n) && n > 0 ? Math.min(n, MAX_LIMIT) : DEFAULT_LIMIT;
}

/**
 * GET /projects/:projectId/members?limit=&after=: the project's members ordered by user ID,
 * one page at a time; `next` is the `after` value of the following page, or null.
 */
members.get("/", requireProjectRole("viewer"), async (req, res, next) => {
  const projectId = Number(req.params.projectId);
  const limit = parseLimit(req.query.limit);
  const after = typeof req.query.after === "string" ? Number.parseInt(req.query.after, 10) || 0 : 0;
  try {
    const { rows } = await pool.query<MemberRow>(
      `SELECT ${MEMBER_COLUMNS}
         FROM memberships m JOIN users u ON u.id = m.user_id
        WHERE m.project_id = $1 AND u.id > $2
        ORDER BY u.id
        LIMIT $3`,
      [projectId, after, limit + 1],
    );
    const page = rows.slice(0, limit);
    res.json({
      members: page.map((r) => ({ id: r.id, name: r.display_name, role: r.role, since: r.created_at })),
      next: rows.length > limit ? page[page.length - 1].id : null,
    });
  } catch (err) {
    next(err);
  }
});
