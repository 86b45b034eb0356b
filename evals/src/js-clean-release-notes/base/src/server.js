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

app.use((err, req, res, _next) => {
  logger.error({ err, path: req.path }, "request failed");
  res.status(500).json({ error: "internal error" });
});

app.listen(Number(process.env.PORT || 8080));
