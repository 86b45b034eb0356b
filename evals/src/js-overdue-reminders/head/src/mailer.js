const logger = require("./logger");

const MAILER_URL = process.env.MAILER_URL || "http://mailer.internal:8025";

/** Queue one templated e-mail; rejects when the mailer does not accept it. */
async function send({ to, template, data }) {
  const res = await fetch(`${MAILER_URL}/v1/messages`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ to, template, data }),
    signal: AbortSignal.timeout(10_000),
  });
  if (!res.ok) {
    throw new Error(`mailer answered ${res.status} for template ${template}`);
  }
  logger.debug({ template }, "mail queued");
}

module.exports = { send };
