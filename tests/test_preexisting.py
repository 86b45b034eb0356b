"""Only what the change introduces: findings on moved, re-indented, reformatted, re-wrapped or
comment-only-changed lines are dropped when the problem was already there (``reviewer.preexisting``).

The CLI tests review small git repositories without a model (the Codex detectors run anyway),
shaped like the real cases measured: a helper moved within its module, a module's functions
moved into a class, a black reformat, a line touched only to drop its ``# noqa``.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reviewer.codex import load_rules
from reviewer.judge import judge_findings
from reviewer.models import Category, Finding, MergeRequest, Severity
from reviewer.preexisting import FileMoves, drop_preexisting, line_key, strip_suppression
from reviewer.settings import Settings
from tests.support.cli_runner import run_reviewer
from tests.support.diff_builder import file_diff
from tests.support.gitrepo import GitRepo
from tests.support.scripted_model import ScriptedModel, json_reply


def review(tmp_path: Path, base: dict[str, str], head: dict[str, str | None], *, env: dict | None = None) -> dict:
    """The JSON report of ``reviewer review --local`` on main → feature (no model unless ``env``)."""
    repo = GitRepo.init(tmp_path / "repo")
    repo.commit("base", base)
    repo.branch("feature")
    repo.commit("change", head)
    done = run_reviewer("review", "--local", "--repo", repo.root, "--base", "main", "--format", "json", env=env)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def found(report: dict, rule: str | None = None) -> list[tuple[str, str | None, int | None]]:
    return [(f["path"], f["rule_id"], f["line"]) for f in report["findings"] if rule is None or f["rule_id"] == rule]


def preexisting(report: dict, rule: str | None = None) -> list[tuple[str, str | None, int | None]]:
    return [(d["path"], d["rule_id"], d["line"]) for d in report["dropped"]
            if d["stage"] == "preexisting" and (rule is None or d["rule_id"] == rule)]


def reason(report: dict, line: int) -> str:
    [entry] = [d for d in report["dropped"] if d["stage"] == "preexisting" and d["line"] == line]
    return entry["reason"]


# -- normalised code ------------------------------------------------------------------------------

def test_line_key_drops_layout_comments_and_quote_style() -> None:
    same = ["    resp = requests.get(url)", "resp = requests.get( url )", "resp = requests.get(url)  # fetch",
            "resp = requests.get(url)  # noqa: S113", "\tresp = requests.get(url),"]
    assert {line_key(t, "app.py") for t in same} == {"resp=requests.get(url)"}
    assert line_key("x = 'a#b'  # c", "app.py") == line_key('x = "a#b"', "app.py") == 'x="a#b"'
    assert line_key("url = 'http://x'; // c", "app.js") == 'url="http://x"'
    assert line_key("# a comment", "app.py") != line_key("a comment", "app.py")
    assert line_key("# TODO: one", "app.py") == line_key("  #  TODO:one", "app.py")
    assert line_key("# heading", "README.md") == "#heading"  # no comment syntax known: text kept


def test_strip_suppression_takes_only_a_trailing_marker() -> None:
    assert strip_suppression("    except:  # noqa: E722\n", "a.py") == "    except:\n"
    assert strip_suppression("x = f()  # why  # type: ignore[attr]", "a.py") == "x = f()  # why"
    assert strip_suppression("console.log(a); // eslint-disable-line no-console", "a.js") == "console.log(a);"
    assert strip_suppression("\tfmt.Println(x) //nolint:forbidigo", "a.go") == "\tfmt.Println(x)"
    assert strip_suppression("# noqa: E501", "a.py") == "# noqa: E501"  # a comment line stays whole
    assert strip_suppression('s = "# noqa"', "a.py") == 's = "# noqa"'  # inside a string: not a comment
    assert strip_suppression("x = 1  # fine", "a.py") == "x = 1  # fine"


OLD = '''import requests


def fetch(url):
    resp = requests.get(url)
    return resp.json()


def ping(host):
    data = requests.post(host, json={'a': 1})
    return data
'''


def _origins(old: str, new: str) -> dict[int, tuple[int, int, str]]:
    moves = FileMoves(file_diff("app.py", old, new))
    out = {}
    for line in moves.added:
        origin = moves.origin(line)
        if origin is not None:
            out[line] = (origin.old_start, origin.old_end, origin.how)
    return out


def test_origins_of_moved_reindented_reformatted_and_comment_lines() -> None:
    moved = OLD.replace("def fetch(url):\n    resp = requests.get(url)\n    return resp.json()\n\n\n", "") + (
        '\n\ndef fetch(url):\n    resp = requests.get(url)\n    return resp.json()\n')
    moved = moved.replace("json={'a': 1})", 'json={"a": 1})  # short')
    origins = _origins(OLD, moved)
    assert origins[5] == (10, 10, "moved, its comment or suppression marker changed")
    assert origins[4] == (9, 9, "moved") and origins[6] == (11, 11, "moved")  # git moves the shorter `ping`

    into_class = OLD.replace("def fetch(url):\n    resp = requests.get(url)\n    return resp.json()\n",
                             "class Api:\n    def fetch(self, url):\n        resp = requests.get(url)\n"
                             "        return resp.json()\n")
    origins = _origins(OLD, into_class)
    assert origins[6] == (5, 5, "re-indented") and origins[7] == (6, 6, "re-indented")
    assert 5 not in origins  # `def fetch(self, url):` is new code

    spaced = OLD.replace("resp = requests.get(url)", "resp = requests.get( url )")
    assert _origins(OLD, spaced) == {5: (5, 5, "reformatted")}

    copied = OLD.replace("    return resp.json()\n", "    return resp.json()\n\n\ndef again(url):\n"
                         "    resp = requests.get(url)\n    return resp.json()\n")
    assert 9 not in _origins(OLD, copied)  # a copy next to its unchanged original is new code


def test_origins_of_rewrapped_runs_both_ways() -> None:
    split = OLD.replace("    data = requests.post(host, json={'a': 1})\n",
                        '    data = requests.post(\n        host,\n        json={"a": 1},\n    )\n')
    origins = _origins(OLD, split)
    assert {origins[n] for n in (10, 11, 12, 13)} == {(10, 10, "re-wrapped")}
    joined = _origins(split, OLD)
    assert joined[10] == (10, 13, "re-wrapped")
    changed = OLD.replace("    data = requests.post(host, json={'a': 1})\n",
                          '    data = requests.post(\n        host,\n        json={"a": 2},\n    )\n')
    assert 10 not in _origins(OLD, changed)


# -- through the CLI: each kind of not-introduced line ---------------------------------------------

SERVICE = '''"""Orders service."""

import requests
import time


def fetch_order(order_id):
    resp = requests.get(f"{BASE}/orders/{order_id}")
    return resp.json()


def notify(order):
    requests.post(HOOK, json={"id": order["id"], "state": order["state"]})


def wait_for_stock():
    time.sleep(5)
'''


def test_moved_line_is_dropped_and_a_new_occurrence_still_fires(tmp_path: Path) -> None:
    head = '''"""Orders service."""

import requests
import time


def notify(order):
    requests.post(HOOK, json={"id": order["id"], "state": order["state"]})


def wait_for_stock():
    time.sleep(5)


def fetch_order(order_id):
    resp = requests.get(f"{BASE}/orders/{order_id}")
    return resp.json()


def fetch_invoice(invoice_id):
    resp = requests.get(f"{BASE}/invoices/{invoice_id}")
    return resp.json()
'''
    report = review(tmp_path, {"app/orders.py": SERVICE}, {"app/orders.py": head})
    assert preexisting(report) == [("app/orders.py", "PY-004", 16)]
    assert "moved (old line 8)" in reason(report, 16) and "PY-004 already fires there" in reason(report, 16)
    assert found(report, "PY-004") == [("app/orders.py", "PY-004", 21)]  # the new call fires
    [dropped] = [d for d in report["dropped"] if d["stage"] == "preexisting"]
    assert dropped["agent"] == "codex-detector" and dropped["fingerprint"]
    assert {"path", "line", "rule_id", "title", "fingerprint", "agent", "reason", "stage"} <= set(dropped)


def test_reindented_lines_are_dropped(tmp_path: Path) -> None:
    head = '''"""Orders service."""

import requests
import time


class OrdersClient:
    def fetch_order(self, order_id):
        resp = requests.get(f"{BASE}/orders/{order_id}")
        return resp.json()

    def notify(self, order):
        requests.post(HOOK, json={"id": order["id"], "state": order["state"]})


def wait_for_stock():
    time.sleep(5)
'''
    report = review(tmp_path, {"app/orders.py": SERVICE}, {"app/orders.py": head})
    assert found(report, "PY-004") == []
    assert preexisting(report) == [("app/orders.py", "PY-004", 9), ("app/orders.py", "PY-004", 13)]
    assert "re-indented (old line 8)" in reason(report, 9)


def test_reformatted_and_rewrapped_lines_are_dropped(tmp_path: Path) -> None:
    base = SERVICE.replace('f"{BASE}/orders/{order_id}"', "f'{BASE}/orders/{order_id}'")
    head = '''"""Orders service."""

import requests
import time


def fetch_order(order_id):
    resp = requests.get( f"{BASE}/orders/{order_id}" )
    return resp.json()


def notify(order):
    requests.post(
        HOOK,
        json={"id": order["id"], "state": order["state"]},
    )


def wait_for_stock():
    time.sleep(5)
'''
    report = review(tmp_path, {"app/orders.py": base}, {"app/orders.py": head})
    assert found(report, "PY-004") == []
    assert preexisting(report) == [("app/orders.py", "PY-004", 8), ("app/orders.py", "PY-004", 13)]
    assert "reformatted (old line 8)" in reason(report, 8)
    assert "re-wrapped (old line 13)" in reason(report, 13)

    # Joining the wrapped call back is a re-wrap too; adding `timeout=` while re-wrapping is a change
    # (and fixes it), dropping an argument while re-wrapping is a change that still fires.
    rejoined = review(tmp_path / "2", {"app/orders.py": head}, {"app/orders.py": SERVICE.replace(
        'resp = requests.get(f"{BASE}/orders/{order_id}")', 'resp = requests.get(f"{BASE}/orders/{order_id}", )')})
    assert found(rejoined, "PY-004") == [] and [r for _, r, _ in preexisting(rejoined)] == ["PY-004", "PY-004"]
    changed = review(tmp_path / "3", {"app/orders.py": base}, {"app/orders.py": head.replace(
        '        json={"id": order["id"], "state": order["state"]},\n', '        json={"id": order["id"]},\n')})
    assert found(changed, "PY-004") == [("app/orders.py", "PY-004", 13)]


def test_line_touched_only_to_drop_a_suppression_marker_is_dropped(tmp_path: Path) -> None:
    base = {
        "app/tasks.py": ('def run(job):\n    try:\n        return job()\n    except:  # noqa: E722\n'
                         '        return None\n\n\ndef report(rows):\n    print(len(rows))  # noqa: T201\n'
                         '    return rows\n'),
        "web/cart.js": 'export function total(items) {\n  console.log(items); // eslint-disable-line no-console\n'
                       '  return items.length;\n}\n',
        "svc/stock.go": 'package svc\n\nimport "fmt"\n\nfunc Report(n int) {\n\tfmt.Println(n) //nolint:forbidigo\n}\n',
    }
    head = {
        "app/tasks.py": base["app/tasks.py"].replace("  # noqa: E722", "").replace("  # noqa: T201", ""),
        "web/cart.js": base["web/cart.js"].replace(" // eslint-disable-line no-console", ""),
        "svc/stock.go": base["svc/stock.go"].replace(" //nolint:forbidigo", ""),
    }
    report = review(tmp_path, base, head)
    assert found(report) == []
    assert sorted(preexisting(report)) == [("app/tasks.py", "ERR-001", 4), ("app/tasks.py", "PY-002", 9),
                                           ("svc/stock.go", "GO-001", 6), ("web/cart.js", "JS-001", 2)]
    assert "changed only in a comment or suppression marker (old line 4)" in reason(report, 4)


def test_genuinely_new_problems_on_moved_or_copied_lines_still_fire(tmp_path: Path) -> None:
    head = SERVICE.replace("def wait_for_stock():", "async def wait_for_stock():").replace(
        '    requests.post(HOOK, json={"id": order["id"], "state": order["state"]})\n',
        '    requests.post(HOOK, json={"id": order["id"], "state": order["state"]})\n'
        '    requests.post(HOOK, json={"id": order["id"], "state": order["state"]})\n')
    # The sleep moves into an async def only when its line is in the diff: re-indent it as well.
    head = head.replace("async def wait_for_stock():\n    time.sleep(5)\n",
                        "async def wait_for_stock():\n    if True:\n        time.sleep(5)\n")
    report = review(tmp_path, {"app/orders.py": SERVICE}, {"app/orders.py": head})
    # Re-indented from a plain def (old line 17) into an async def: blocking the loop is new.
    assert ("app/orders.py", "PERF-001", 19) in found(report)
    assert found(report, "PY-004") == [("app/orders.py", "PY-004", 14)]  # a copy next to its original is new
    assert preexisting(report) == []


def test_new_comment_on_an_old_line_is_judged_by_its_own_rule(tmp_path: Path) -> None:
    base = {"svc/a.go": "package svc\n\nfunc A() int {\n\treturn 1\n}\n",
            "svc/b.go": "package svc\n\nfunc B() int {\n\t// TODO: remove\n\treturn 2\n}\n"}
    head = {"svc/a.go": "package svc\n\nfunc A() int {\n\t// TODO: remove\n\treturn 1\n}\n",
            "svc/b.go": "package svc\n\nfunc B() int {\n\treturn 2\n\t// TODO: remove\n}\n"}
    report = review(tmp_path, base, head)
    assert found(report, "DOC-003") == [("svc/a.go", "DOC-003", 4)]  # new in a.go (the old one was in b.go)
    assert preexisting(report, "DOC-003") == [("svc/b.go", "DOC-003", 5)]  # moved within b.go


# -- model findings -------------------------------------------------------------------------------

STORE = '''def load(path):
    with open(path, encoding="utf-8") as handle:
        data = handle.read()
    return parse(data)


def register(user):
    validate(user)
    save(user)
    return user


def helper():
    return 1
'''
STORE_HEAD = '''def helper():
    return 1


def register(user):
    save(user)
    validate(user)
    return user


def load(path):
    with open(path, encoding="utf-8") as handle:
        data = handle.read()
    return parse(data)
'''


def _model_finding(line: int, title: str, rule_id: str | None = None) -> dict:
    return {"path": "store.py", "line": line, "end_line": None, "side": "new", "severity": "suggestion",
            "rule_id": rule_id, "title": title, "body": "As shown.", "suggestion": None}


def test_model_findings_on_a_moved_block_are_dropped_but_not_on_reordered_lines(
        tmp_path: Path, scripted_model: ScriptedModel) -> None:
    scripted_model.route("You are the Code Quality reviewer", json_reply({"findings": [
        _model_finding(13, "Whole file read into memory"),  # in the moved `load`, same surroundings
        _model_finding(6, "User saved before it is validated"),  # reordered: the move is the problem
    ]}), then=json_reply({"findings": []}))
    scripted_model.default(json_reply({"findings": []}))
    env = {"REVIEWER_MODEL": "openai/scripted", "REVIEWER_API_BASE": scripted_model.base_url}
    report = review(tmp_path, {"store.py": STORE}, {"store.py": STORE_HEAD}, env=env)
    model = [(f["line"], f["title"]) for f in report["findings"] if f["agent"] == "quality"]
    assert model == [(6, "User saved before it is validated")]
    [dropped] = [d for d in report["dropped"] if d["stage"] == "preexisting"]
    assert (dropped["line"], dropped["agent"]) == (13, "quality")
    assert "moved (old line 3)" in dropped["reason"] and "same place in its code" in dropped["reason"]


def _judge(old: str, new: str, *findings: Finding, rules=None):
    mr = MergeRequest(files=[file_diff("app/store.py", old, new)])
    return judge_findings(list(findings), mr, rules if rules is not None else load_rules(), Settings())


def _f(line: int, title: str = "Blocking call", rule_id: str | None = None, agent: str = "performance") -> Finding:
    return Finding(path="app/store.py", line=line, severity=Severity.SUGGESTION, category=Category.PERFORMANCE,
                   rule_id=rule_id, title=title, agent=agent)


def test_model_finding_citing_a_rule_that_fired_on_the_old_line_is_dropped() -> None:
    fetch = "def a(url):\n    return requests.get(url)\n"
    other = "def b(rows):\n    total = 0\n    for row in rows:\n        total += row\n    return total\n"
    old = f"import requests\n\n\n{fetch}\n\n{other}"
    new = f"import requests\n\n\n{other}\n\n{fetch}"
    assert FileMoves(file_diff("app/store.py", old, new)).pairs == {11: 4, 12: 5}
    verdict = _judge(old, new, _f(12, "No timeout", "PY-004"), _f(12, "Blocking call", "PERF-001"))
    assert [f.rule_id for f, _ in verdict.report.preexisting] == ["PY-004"]
    assert [f.rule_id for f in verdict.inline] == ["PERF-001"]  # PERF-001 does not fire in a plain def
    assert [d.stage for d in verdict.report.dropped_findings()] == ["preexisting"]


def test_model_finding_on_a_line_moved_into_another_block_is_kept() -> None:
    old = "def a(items):\n    total = 0\n    fetch_all()\n    for item in items:\n        total += item\n" \
          "    return total\n"
    new = "def a(items):\n    total = 0\n    for item in items:\n        fetch_all()\n        total += item\n" \
          "    return total\n"
    verdict = _judge(old, new, _f(4, "Query in a loop"))
    assert verdict.report.preexisting == [] and [f.line for f in verdict.inline] == [4]


def test_without_a_rule_set_detector_findings_fall_back_to_equal_code() -> None:
    old = "def a(url):\n    return get(url)  # noqa: S113\n\n\ndef b(url):\n    return get(url)\n"
    new = "def a(url):\n    return get(url)\n\n\ndef b(url):\n    return get(url)  # fetch it\n"
    kept, dropped = drop_preexisting(
        [(_f(2, rule_id="PY-004", agent="codex-detector"), file_diff("app/store.py", old, new)),
         (_f(6, rule_id="PY-004", agent="codex-detector"), file_diff("app/store.py", old, new))], None)
    assert [f.line for f, _, _ in dropped] == [2]  # only the suppression marker went: equal code
    assert [f.line for f, _ in kept] == [6]  # a new comment: without the detectors, not known to be old


@pytest.mark.parametrize("side", ["old", "new"])
def test_findings_on_unchanged_or_removed_lines_are_left_alone(side: str) -> None:
    old = "def a(url):\n    return get(url)\n"
    new = "def a(url):\n    return get(url)\n\n\ndef b():\n    return 1\n"
    finding = _f(2, rule_id="PY-004", agent="codex-detector").model_copy(update={"side": side})
    kept, dropped = drop_preexisting([(finding, file_diff("app/store.py", old, new))], load_rules())
    assert dropped == [] and len(kept) == 1


def test_a_rule_only_an_analyzer_implements_falls_back_to_equal_code() -> None:
    """ERR-014 is shellcheck's SC2164: no detector can say it fired on the old line."""
    old = "#!/bin/sh\nbuild() {\ncd \"$dir\"\nmake\n}\n"
    new = "#!/bin/sh\nbuild() {\n  cd \"$dir\"\n  make\n}\n\ndeploy() {\n  cd \"$target\"  # the release folder\n}\n"
    file = file_diff("ci/build.sh", old, new)
    finding = Finding(path="ci/build.sh", line=3, severity=Severity.IMPORTANT, category=Category.QUALITY,
                      rule_id="ERR-014", title="cd unchecked", agent="codex-detector")
    kept, dropped = drop_preexisting([(finding, file), (finding.model_copy(update={"line": 8}), file)], load_rules())
    assert [(f.line, why) for f, _, why in dropped] == [
        (3, "not introduced by this change: the line was re-indented (old line 3), with the same code")]
    assert [f.line for f, _ in kept] == [8]
