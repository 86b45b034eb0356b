const express = require("express");
const pino = require("pino");
const catalog = require("./catalog");
const search = require("./routes/search");

const logger = pino();
const app = express();
app.use("/search", search);
app.use((err, req, res, _next) => {
  logger.error({ err }, "request failed");
  res.status(500).json({ error: "internal error" });
});

catalog.start(logger);
app.listen(Number(process.env.PORT || 8080));
