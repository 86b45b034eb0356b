"""Checks of the precision harness (run: ``python -m pytest benchmarks -q``): run.py over a tiny
local repository, its per-rule figures against ones computed by hand."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
TOTAL = "def total(rows):\n    result = 0\n    for row in rows:\n        result += row\n    return result\n"
BASE = f'"""Orders."""\n\nimport requests\n\n\ndef fetch(url):\n    return requests.get(url)\n\n\n{TOTAL}'
HEAD = (f'"""Orders."""\n\nimport requests\n\n\n{TOTAL}\n\n'
        'def fetch(url):\n    return requests.get(url)\n\n\n'
        'def fetch_invoice(url):\n    return requests.get(url)\n\n\n'
        'def debug(rows, path):\n' + "".join(f"    print('row', rows[{i}])\n" for i in range(5))
        + '    with open(path) as handle:\n        return handle.read()\n')
# HEAD: fetch moved below total (line 14, pre-existing), a new call (18), five prints (22-26), open (27).


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, text=True).stdout.strip()


def _repo(root: Path) -> str:
    root.mkdir()
    _git(root, "init", "-q", "-b", "main")
    _git(root, "config", "user.name", "T")
    _git(root, "config", "user.email", "t@example.test")
    (root / "app").mkdir()
    for message, text in (("base", BASE), ("orders", HEAD)):
        (root / "app/orders.py").write_text(text, encoding="utf-8")
        _git(root, "add", "-A")
        _git(root, "commit", "-q", "-m", message)
    _git(root, "tag", "c1")
    return _git(root, "rev-parse", "HEAD")


def test_run_reports_per_rule_precision_against_hand_computed_figures(tmp_path: Path) -> None:
    sha = _repo(tmp_path / "shop")
    (tmp_path / "suite.yaml").write_text("fixtures:\n  - {repo: tiny, path: shop}\n", encoding="utf-8")
    label = "  - {{repo: tiny, commit: {c}, path: app/orders.py, line: {n}, rule_id: {r}, verdict: {v}, why: x}}\n"
    labels = "labels:\n" + "".join(label.format(c=c, n=n, r=r, v=v) for c, n, r, v in [
        ("c1", 22, "PY-002", "true"), ("c1", 23, "PY-002", "true"), ("c1", 24, "PY-002", "true"),
        ("c1", 25, "PY-002", "true"), (sha[:10], 26, "PY-002", "false"),  # a SHA prefix names the commit too
        ("c1", 18, "PY-004", "true"), ("c1", 14, "PY-004", "false"),  # 14: dropped as pre-existing
        ("c1", 3, "PY-002", "debatable"),  # matches nothing: stale
        ("c1~1", 3, "PY-002", "true"),  # the root commit: not reviewed, not counted
        ("0123456789", 3, "PY-002", "true"),  # no such commit: listed as unresolved
    ])
    (tmp_path / "labels.yaml").write_text(labels, encoding="utf-8")
    out = tmp_path / "out.json"
    done = subprocess.run([sys.executable, str(HERE / "run.py"), "--suite", str(tmp_path / "suite.yaml"),
                           "--labels", str(tmp_path / "labels.yaml"), "--json", str(out), "--jobs", "1"],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr + done.stdout
    data = json.loads(out.read_text(encoding="utf-8"))

    prints = data["rules"]["PY-002"]
    assert (prints["reported"], prints["threads"], prints["true"], prints["false"], prints["debatable"],
            prints["unlabelled"]) == (5, 1, 4, 1, 0, 0)  # five places, one grouped thread
    assert prints["precision"] == 4 / 5 and prints["strict_precision"] == 4 / 5
    timeout = data["rules"]["PY-004"]
    assert (timeout["reported"], timeout["true"], timeout["precision"]) == (1, 1, 1.0)
    assert (timeout["dropped"], timeout["dropped_false"], timeout["dropped_true"]) == (1, 1, 0)
    encoding = data["rules"]["PY-005"]
    assert (encoding["reported"], encoding["unlabelled"], encoding["precision"]) == (1, 1, None)
    total = data["total"]
    assert (total["reported"], total["threads"], total["true"], total["false"], total["unlabelled"]) == (7, 3, 5, 1, 1)
    assert total["precision"] == 5 / 6
    assert [(f["rule_id"], f["line"]) for f in data["unlabelled"]] == [("PY-005", 27)]
    assert [(s["line"], s["verdict"]) for s in data["stale_labels"]] == [(3, "debatable")]
    assert data["labels_not_in_run"] == 1 and [u["commit"] for u in data["unresolved_labels"]] == ["0123456789"]
    assert data["commits"] == [{"repo": "tiny", "commit": sha, "ref": "c1", "kind": "fixtures", "reported": 7,
                                "threads": 3, "dropped": 1, "error": ""}]

    printed = done.stdout
    assert "Commits reviewed: 1 (0 failed, 0 skipped); with findings: 1" in printed
    row = next(line.split() for line in printed.splitlines() if line.split()[:1] == ["PY-002"])
    assert row == ["PY-002", "5", "1", "4", "1", "0", "0", "80%", "80%", "0", "(0/0/0)"]
    assert next(line.split() for line in printed.splitlines() if line.split()[:1] == ["ALL"])[7] == "83%"
    assert "{repo: tiny, commit: c1, path: app/orders.py, line: 27, rule_id: PY-005, verdict: ?" in printed
    assert "app/orders.py:14 PY-004 [false]: not introduced by this change" in printed


def test_suite_entries_without_a_repository_are_skipped_with_the_reason(tmp_path: Path) -> None:
    (tmp_path / "suite.yaml").write_text(
        "public:\n  - {repo: https://github.com/example/shop, commit: 0123456789abcdef0123456789abcdef01234567}\n"
        "fixtures:\n  - {repo: nothing, path: missing}\n", encoding="utf-8")
    done = subprocess.run([sys.executable, str(HERE / "run.py"), "--suite", str(tmp_path / "suite.yaml"),
                           "--labels", str(tmp_path / "none.yaml"), "--cache", str(tmp_path / "cache")],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert "Commits reviewed: 0 (0 failed, 2 skipped)" in done.stdout
    assert "not fetched (run fetch.sh)" in done.stdout and "(run fixtures.py)" in done.stdout
