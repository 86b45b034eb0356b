const { execFile } = require("node:child_process");
const { promisify } = require("node:util");

const run = promisify(execFile);
const REPO_DIR = process.env.REPO_DIR || "/srv/checkout";
const GIT_TIMEOUT_MS = 10_000;
// A tag, branch or SHA: starts with a letter or digit (so it can never be read as an
// option), then letters, digits, ".", "_", "/" or "-".
const REF = /^[A-Za-z0-9][A-Za-z0-9._\/-]{0,199}$/;

class BadRefError extends Error {}

/** The repository's tags, newest first. */
async function tags() {
  const { stdout } = await run("git", ["tag", "--sort=-creatordate"], { cwd: REPO_DIR, timeout: GIT_TIMEOUT_MS });
  return stdout.split("\n").filter(Boolean);
}

/**
 * The commits in `to` but not in `from`, oldest first: [{ sha, subject, scope }].
 * `scope` is the conventional-commit scope ("fix(api): …" → "api"), or null.
 * Throws BadRefError when a ref is not a plausible ref name.
 */
async function commitsBetween(from, to) {
  for (const ref of [from, to]) {
    if (!REF.test(ref) || ref.includes("..")) {
      throw new BadRefError(`not a ref: ${JSON.stringify(ref).slice(0, 60)}`);
    }
  }
  const { stdout } = await run(
    "git",
    ["log", "--reverse", "--no-merges", "--format=%H%x09%s", `${from}..${to}`, "--"],
    { cwd: REPO_DIR, timeout: GIT_TIMEOUT_MS, maxBuffer: 4 * 1024 * 1024 },
  );
  return stdout
    .split("\n")
    .filter(Boolean)
    .map((line) => {
      const [sha, subject] = line.split("\t");
      const match = /^\w+\(([^)]+)\)!?:/.exec(subject);
      return { sha, subject, scope: match ? match[1] : null };
    });
}

module.exports = { BadRefError, run, tags, commitsBetween, REPO_DIR };
