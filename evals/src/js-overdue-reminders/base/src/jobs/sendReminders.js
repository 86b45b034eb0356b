const { query } = require("../db");
const mailer = require("../mailer");
const logger = require("../logger");

/** E-mail the owner of every overdue, unpaid invoice. Returns how many were sent. */
async function sendReminders(now = new Date()) {
  const { rows: invoices } = await query(
    `SELECT i.id, i.number, u.email
       FROM invoices i JOIN users u ON u.id = i.user_id
      WHERE i.paid_at IS NULL AND i.due_at < $1
      ORDER BY i.due_at
      LIMIT 500`,
    [now],
  );
  for (const invoice of invoices) {
    await mailer.send({ to: invoice.email, template: "invoice-overdue", data: { number: invoice.number } });
  }
  logger.info({ sent: invoices.length }, "overdue reminders sent");
  return invoices.length;
}

module.exports = { sendReminders };
