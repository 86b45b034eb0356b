const express = require("express");
const pino = require("pino");
const git = require("./git");

const logger = pino();
const app = express();

app.get("/tags", async (req, res, next) => {
  try {
    res.json({ tags: await git.tags() });
  } catch (err) {
    next(err);
  }
});

/** GET /release-notes?from=v1.2.0&to=v1.3.0: the commits between two refs, grouped by scope. */
app.get("/release-notes", async (req, res, next) => {
  const { from, to } = req.query;
  if (typeof from !== "string" || typeof to !== "string") {
    res.status(400).json({ error: "from and to are required" });
    return;
  }
  try {
    const commits = await git.commitsBetween(from, to);
    const groups = {};
    for (const commit of commits) {
      const key = commit.scope == null ? "other" : commit.scope;
      (groups[key] ||= []).push({ sha: commit.sha.slice(0, 12), subject: commit.subject });
    }
    res.json({ from, to, count: commits.length, groups });
  } catch (err) {
    if (err instanceof git.BadRefError) {
      res.status(400).json({ error: err.message });
      return;
    }
    next(err);
  }
});

app.use((err, req, res, _next) => {
  logger.error({ err, path: req.path }, "request failed");
  res.status(500).json({ error: "internal error" });
});

app.listen(Number(process.env.PORT || 8080));
