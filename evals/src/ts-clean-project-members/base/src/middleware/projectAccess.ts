import type { NextFunction, Request, Response } from "express";
import { pool } from "../db";

export type Role = "viewer" | "editor" | "owner";
const RANK: Record<Role, number> = { viewer: 1, editor: 2, owner: 3 };

/**
 * 404 unless the signed-in user (set by the session middleware) has at least `role` on the
 * project in `req.params.projectId`. Answers 404 rather than 403 so project IDs do not leak.
 */
export function requireProjectRole(role: Role) {
  return async (req: Request, res: Response, next: NextFunction) => {
    const projectId = Number(req.params.projectId);
    if (!req.user || !Number.isInteger(projectId)) {
      res.status(404).json({ error: "project not found" });
      return;
    }
    try {
      const { rows } = await pool.query<{ role: Role }>(
        "SELECT role FROM memberships WHERE project_id = $1 AND user_id = $2",
        [projectId, req.user.id],
      );
      if (rows.length === 0 || RANK[rows[0].role] < RANK[role]) {
        res.status(404).json({ error: "project not found" });
        return;
      }
      next();
    } catch (err) {
      next(err);
    }
  };
}
