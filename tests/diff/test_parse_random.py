"""Line numbers checked against the files themselves, over seeded random edits (difflib output)."""

from __future__ import annotations

import difflib
import random

import pytest

from reviewer.diff import parse_git_diff, parse_gitlab_diff

WORDS = ["alpha", "beta", "gamma", "", "-- a/x", "++ b/y", "@@ -1 +1 @@", "\\ no", " lead", "tail "]


def _edit(rng: random.Random, lines: list[str]) -> list[str]:
    out = list(lines)
    for _ in range(rng.randint(0, 6)):
        op = rng.choice(["insert", "delete", "replace"])
        at = rng.randint(0, len(out))
        if op == "insert":
            out.insert(at, rng.choice(WORDS) + str(rng.randint(0, 9)))
        elif out and at < len(out):
            if op == "delete":
                del out[at]
            else:
                out[at] = rng.choice(WORDS) + "!"
    return out


@pytest.mark.parametrize("seed", range(150))
def test_every_line_number_points_at_its_content(seed):
    rng = random.Random(seed)
    old = [rng.choice(WORDS) + str(n) for n in range(rng.randint(0, 40))]
    new = _edit(rng, old)
    context = rng.choice([0, 1, 3])
    text = "".join(f"{ln}\n" for ln in difflib.unified_diff(old, new, "a/f.txt", "b/f.txt", n=context, lineterm=""))
    files = parse_git_diff(text)
    if old == new:
        assert files == []
        return
    (file,) = files
    seen_old, seen_new = [], []
    for line in file.iter_lines():
        if line.old_line is not None:
            assert old[line.old_line - 1] == line.content
            seen_old.append(line.old_line)
        if line.new_line is not None:
            assert new[line.new_line - 1] == line.content
            seen_new.append(line.new_line)
    assert seen_old == sorted(set(seen_old)) and seen_new == sorted(set(seen_new))
    assert file.removed == sum(1 for op in difflib.ndiff(old, new) if op.startswith("- "))
    # GitLab numbers the same text alike unless a line looks like a file header to it.
    gitlab = parse_gitlab_diff(file.diff_text, old_path="f.txt", new_path="f.txt")
    if not any(ln.content.startswith(("-- a", "++ b", "++ a")) for ln in file.iter_lines()):
        assert gitlab.hunks == file.hunks


@pytest.mark.parametrize("seed", range(50))
def test_garbage_never_crashes(seed):
    rng = random.Random(seed)
    pieces = ["diff --git a/x b/x\n", "--- a/x\n", "+++ b/x\n", "@@ -1,2 +1,3 @@\n", "@@ -0,0 +1 @@ s\n", "+a\n",
              "-b\n", " c\n", "\\ No newline at end of file\n", "rename from q\n", "Binary files a b differ\n",
              "GIT binary patch\n", "\n", "\r\n", "new file mode 100644\n", '"\\\n', "diff --git \"a/q\" x\n"]
    text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 30)))
    try:
        files = parse_git_diff(text)
    except Exception as exc:  # only our own error type is allowed
        assert type(exc).__name__ == "DiffError", exc
        return
    for file in files:
        assert file.old_path and file.new_path
    parse_gitlab_diff(text, old_path="x", new_path="x")
