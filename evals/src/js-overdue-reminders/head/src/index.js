const { pool } = require("./db");
const logger = require("./logger");
const { sendReminders } = require("./jobs/sendReminders");

const jobs = { reminders: sendReminders };

async function main(name) {
  const job = jobs[name];
  if (!job) {
    throw new Error(`unknown job: ${name}`);
  }
  await job();
}

main(process.argv[2])
  .catch((err) => {
    logger.error({ err }, "job failed");
    process.exitCode = 1;
  })
  .finally(() => pool.end());
