"""The simulator's own hunk parser against the worked example in gitlab-api.md §2."""

from __future__ import annotations

import hashlib

from tests.support.gitlab_sim import difflines
from tests.support.gitlab_sim.gitrepo import map_line

DIFF = "@@ -10,3 +10,4 @@\n a\n-b\n+c\n+d\n e\n\\ No newline at end of file\n"


def test_counters_and_line_codes_match_the_spec_table():
    parsed = difflines.parse(DIFF)
    content = [x for x in parsed.lines if x.kind not in ("match", "meta")]
    got = [(x.text, x.old_line, x.new_line, x.old_pos, x.new_pos) for x in content]
    assert got == [("a", 10, 10, 10, 10), ("b", 11, None, 11, 11), ("c", None, 11, 12, 11),
                   ("d", None, 12, 12, 12), ("e", 12, 13, 12, 13)]
    sha = hashlib.sha1(b"README.md").hexdigest()
    assert difflines.line_code("README.md", 12, 11) == f"{sha}_12_11"
    assert difflines.find_exact(parsed, None, 11).text == "c"
    assert difflines.find_exact(parsed, 11, 11) is None


def test_unfold_uses_next_hunk_offset_or_tail():
    parsed = difflines.parse(DIFF)
    assert difflines.unfold(parsed, 5, 5, 40) is not None  # above the hunk, offset 0
    assert difflines.unfold(parsed, 20, 21, 40) is not None  # below: offset +1
    assert difflines.unfold(parsed, 20, 20, 40) is None
    assert difflines.unfold(parsed, 41, 42, 40) is None  # past the old blob
    assert difflines.unfold(parsed, 11, 11, 40) is None  # inside the diff


def test_map_line_through_zero_context_hunks():
    hunks = [(3, 1, 3, 2), (10, 0, 12, 1)]  # line 3 replaced by two lines; one line added after 10
    assert map_line(hunks, 2) == 2
    assert map_line(hunks, 3) is None
    assert map_line(hunks, 5) == 6
    assert map_line(hunks, 11) == 13
