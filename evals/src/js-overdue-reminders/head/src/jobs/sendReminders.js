const { query } = require("../db");
const mailer = require("../mailer");
const logger = require("../logger");

/**
 * E-mail the owner of every overdue, unpaid invoice that has not been reminded yet, then
 * mark those invoices as reminded so the next run skips them. Returns how many were sent.
 */
async function sendReminders(now = new Date()) {
  const { rows: invoices } = await query(
    `SELECT i.id, i.number, u.email
       FROM invoices i JOIN users u ON u.id = i.user_id
      WHERE i.paid_at IS NULL AND i.due_at < $1 AND i.reminded_at IS NULL
      ORDER BY i.due_at
      LIMIT 500`,
    [now],
  );

  const remindedIds = [];
  invoices.forEach(async (invoice) => {
    await mailer.send({ to: invoice.email, template: "invoice-overdue", data: { number: invoice.number } });
    remindedIds.push(invoice.id);
  });

  try {
    await query("UPDATE invoices SET reminded_at = now() WHERE id = ANY($1)", [remindedIds]);
  } catch (err) {}

  logger.info({ sent: remindedIds.length }, "overdue reminders sent");
  return remindedIds.length;
}

module.exports = { sendReminders };
