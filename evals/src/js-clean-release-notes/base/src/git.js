const { execFile } = require("node:child_process");
const { promisify } = require("node:util");

const run = promisify(execFile);
const REPO_DIR = process.env.REPO_DIR || "/srv/checkout";

/** The repository's tags, newest first. */
async function tags() {
  const { stdout } = await run("git", ["tag", "--sort=-creatordate"], { cwd: REPO_DIR, timeout: 10_000 });
  return stdout.split("\n").filter(Boolean);
}

module.exports = { run, tags, REPO_DIR };
