import { Router } from "express";
import { pool } from "../db";
import { requireProjectRole } from "../middleware/projectAccess";
import { members } from "./members";

export const projects = Router();

projects.use("/:projectId/members", members);

projects.get("/:projectId", requireProjectRole("viewer"), async (req, res, next) => {
  try {
    const { rows } = await pool.query(
      "SELECT id, name, created_at FROM projects WHERE id = $1",
      [Number(req.params.projectId)],
    );
    res.json(rows[0]);
  } catch (err) {
    next(err);
  }
});
