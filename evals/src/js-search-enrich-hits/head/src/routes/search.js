const express = require("express");
const catalog = require("../catalog");
const engine = require("../search/engine");
const { rank } = require("../search/rank");

const router = express.Router();
const MAX_SIZE = 2000;
const RANK_POOL = 4;

router.get("/", async (req, res, next) => {
  const text = String(req.query.q || "").trim();
  if (!text) {
    res.status(400).json({ error: "q is required" });
    return;
  }
  const size = Math.min(Number(req.query.size) || 50, MAX_SIZE);
  try {
    // Fetch more than we show so boosting can pull in-stock products up.
    const hits = await engine.query(text, Math.min(size * RANK_POOL, MAX_SIZE));
    const ranked = rank(hits, catalog.all()).slice(0, size);
    res.json({ hits: ranked });
  } catch (err) {
    next(err);
  }
});

module.exports = router;
