const express = require("express");
const engine = require("../search/engine");

const router = express.Router();
const MAX_SIZE = 2000;

router.get("/", async (req, res, next) => {
  const text = String(req.query.q || "").trim();
  if (!text) {
    res.status(400).json({ error: "q is required" });
    return;
  }
  const size = Math.min(Number(req.query.size) || 50, MAX_SIZE);
  try {
    const hits = await engine.query(text, size);
    res.json({ hits });
  } catch (err) {
    next(err);
  }
});

module.exports = router;
