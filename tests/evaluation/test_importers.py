"""AACR-Bench and Martian importers: small hand-written samples in each benchmark's shape, tiny
real git repositories as the clones, and the case.yaml files they produce."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
import yaml

from reviewer.errors import ConfigError
from reviewer.evaluation.importers import (
    ImportSummary,
    clone_candidates,
    import_aacr,
    import_martian,
    map_category,
    map_severity,
)
from reviewer.models import Category, Severity

MISSING_SHA = "0123456789abcdef0123456789abcdef01234567"


def git(repo: Path, *args: str) -> str:
    result = subprocess.run(
        ["git", "-c", "user.name=Case Builder", "-c", "user.email=builder@example.test",
         "-c", "commit.gpgsign=false", "-C", str(repo), *args],
        capture_output=True, text=True, check=True,
    )
    return result.stdout.strip()


def make_repo(path: Path) -> tuple[str, str]:
    """A repository with a base commit and a head commit that changes app/db.py; (base, head)."""
    path.mkdir(parents=True)
    git(path, "init", "-q", "-b", "main")
    (path / "app").mkdir()
    (path / "app" / "db.py").write_text("def find(cur, name):\n    return None\n", encoding="utf-8")
    git(path, "add", "-A")
    git(path, "commit", "-q", "-m", "base")
    base = git(path, "rev-parse", "HEAD")
    (path / "app" / "db.py").write_text(
        "def find(cur, name):\n"
        "    query = \"SELECT * FROM users WHERE name = '\" + name + \"'\"\n"
        "    cur.execute(query)\n"
        "    rows = [r for r in cur.fetchall()]\n"
        "    return rows\n",
        encoding="utf-8",
    )
    (path / "README.md").write_text("# shop\n", encoding="utf-8")
    git(path, "add", "-A")
    git(path, "commit", "-q", "-m", "head")
    return base, git(path, "rev-parse", "HEAD")


@pytest.fixture
def repos(tmp_path):
    """Clones in two of the accepted layouts: ``acme/shop`` and ``acme__tools``."""
    root = tmp_path / "repos"
    shop = make_repo(root / "acme" / "shop")
    tools = make_repo(root / "acme__tools")
    return root, shop, tools


def write_json(path: Path, data) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2), encoding="utf-8")
    return path


def load_case(out: Path, name: str) -> dict:
    return yaml.safe_load((out / name / "case.yaml").read_text(encoding="utf-8"))


def aacr_comment(path, first, last, category, note, side="right"):
    return {"is_ai_comment": False, "note": note, "path": path, "side": side, "source_model": "",
            "from_line": first, "to_line": last, "category": category, "context": "Diff Level"}


def aacr_sample(owner_name, number, base, head, comments, language="Python"):
    return {"change_line_count": 5, "project_main_language": language, "source_commit": base,
            "target_commit": head, "githubPrUrl": f"https://github.com/{owner_name}/pull/{number}",
            "comments": comments, "category": "Bug Fix"}


@pytest.fixture
def aacr_dataset(tmp_path, repos):
    _, (base, head), (tools_base, tools_head) = repos
    folder = tmp_path / "aacr"
    write_json(folder / "positive_samples.json", [
        aacr_sample("acme/shop", 7, base, head, [
            aacr_comment("app/db.py", 3, 2, "Security Vulnerability", "name is concatenated into the SQL string"),
            aacr_comment("app/db.py", 4, 4, "Maintainability and Readability", "the comprehension only copies"),
            aacr_comment("app/db.py", 3, 3, "Performance", "fetchall loads every row into memory"),
        ]),
        aacr_sample("acme/missing", 8, base, head, [aacr_comment("x.py", 1, 1, "Code Defect", "wrong")]),
        aacr_sample("acme/shop", 9, base, MISSING_SHA, [aacr_comment("app/db.py", 1, 1, "Code Defect", "bad")]),
    ])
    write_json(folder / "negative_samples.json", [
        aacr_sample("acme/shop", 7, base, head, [
            aacr_comment("app/db.py", 1, 1, "Code Defect", "rejected: find never returns None"),
            aacr_comment("README.md", 1, 1, "Maintainability and Readability", "rejected: heading style"),
        ]),
        aacr_sample("acme/tools", 10, tools_base, tools_head, [
            aacr_comment("app/db.py", 2, 2, "Code Defect", "rejected: a misread of the query"),
        ], language="Go"),
    ])
    return folder


def test_aacr_positive_sample_becomes_a_case_with_mapped_findings(tmp_path, repos, aacr_dataset):
    root, (base, head), _ = repos
    out = tmp_path / "cases"

    summary = import_aacr(aacr_dataset, root, out)

    case = load_case(out, "aacr-acme__shop-pr7")
    assert case["repo"] == str((root / "acme" / "shop").resolve())
    assert Path(case["repo"]).is_absolute()
    assert (case["base"], case["head"]) == (base, head)
    assert case["source"] == "aacr:acme/shop#7"
    assert case["language"] == "Python"
    assert case["tags"] == ["aacr-bench", "positive", "Bug Fix"]
    assert case["expected"] == [
        {"path": "app/db.py", "lines": [2, 3], "category": "security", "severity": "note",
         "why": "name is concatenated into the SQL string"},
        {"path": "app/db.py", "lines": [4, 4], "category": "quality", "severity": "note",
         "why": "the comprehension only copies"},
        {"path": "app/db.py", "lines": [3, 3], "category": "performance", "severity": "note",
         "why": "fetchall loads every row into memory"},
    ]
    assert "2 rejected (negative) comment(s)" in case["notes"]
    assert "https://github.com/acme/shop/pull/7" in case["notes"]
    assert "lines: [2, 3]" in (out / "aacr-acme__shop-pr7" / "case.yaml").read_text(encoding="utf-8")
    assert summary.out == out
    assert summary.written == 2


def test_aacr_negative_only_pr_is_a_clean_case_and_a_duplicate_negative_is_skipped(tmp_path, repos, aacr_dataset):
    root, _, (tools_base, tools_head) = repos
    out = tmp_path / "cases"

    summary = import_aacr(aacr_dataset, root, out)

    clean = load_case(out, "aacr-acme__tools-pr10")
    assert clean["repo"] == str((root / "acme__tools").resolve())
    assert (clean["base"], clean["head"]) == (tools_base, tools_head)
    assert clean["expected"] == []
    assert clean["language"] == "Go"
    assert clean["tags"] == ["aacr-bench", "negative", "Bug Fix"]
    skipped = dict(summary.skipped)
    assert skipped["aacr:acme/shop#7 (negative)"].startswith("same PR as a positive sample")
    assert sorted(p.parent.name for p in summary.cases) == ["aacr-acme__shop-pr7", "aacr-acme__tools-pr10"]


def test_aacr_samples_without_clone_or_commit_are_skipped_with_reasons(tmp_path, repos, aacr_dataset):
    root, _, _ = repos
    out = tmp_path / "cases"

    summary = import_aacr(aacr_dataset, root, out)

    skipped = dict(summary.skipped)
    assert len(summary.skipped) == 3
    assert skipped["aacr:acme/missing#8"] == (
        f"no clone under {root} (tried acme/missing, acme/missing.git, acme__missing, acme__missing.git, "
        "missing, missing.git)"
    )
    assert skipped["aacr:acme/shop#9"] == f"head commit {MISSING_SHA} not found in {root / 'acme' / 'shop'}"
    assert not (out / "aacr-acme__missing-pr8").exists()
    assert not (out / "aacr-acme__shop-pr9").exists()


def test_aacr_left_side_comment_skips_the_sample(tmp_path, repos):
    root, (base, head), _ = repos
    data = write_json(tmp_path / "positive_samples.json", [
        aacr_sample("acme/shop", 7, base, head, [aacr_comment("app/db.py", 2, 2, "Code Defect", "old", side="left")]),
    ])

    summary = import_aacr(data, root, tmp_path / "cases")

    assert summary.written == 0
    assert summary.skipped == [
        ("aacr:acme/shop#7", "comment 0 on app/db.py is on the old (left) side: its lines are not HEAD lines"),
    ]


def test_aacr_alternative_field_spellings_are_accepted(tmp_path, repos):
    root, (base, head), _ = repos
    data = write_json(tmp_path / "samples.json", [{
        "pr_url": "https://github.com/acme/shop/pull/12", "base_sha": base, "head_sha": head,
        "review_comments": [{"file": "app/db.py", "start_line": 2, "end_line": 3, "body": "injection",
                             "type": "vuln", "severity": "High"}],
    }])

    import_aacr(data, root, tmp_path / "cases")

    case = load_case(tmp_path / "cases", "aacr-acme__shop-pr12")
    assert case["expected"] == [
        {"path": "app/db.py", "lines": [2, 3], "category": "security", "severity": "important", "why": "injection"},
    ]


def test_aacr_missing_field_is_one_line_config_error_and_writes_nothing(tmp_path, repos):
    root, (base, head), _ = repos
    good = aacr_sample("acme/shop", 7, base, head, [])
    bad = aacr_sample("acme/shop", 8, base, head, [])
    del bad["target_commit"]
    data = write_json(tmp_path / "positive_samples.json", [good, bad])
    out = tmp_path / "cases"

    with pytest.raises(ConfigError) as excinfo:
        import_aacr(data, root, out)

    message = str(excinfo.value)
    assert "\n" not in message
    assert message == (f"{data}: sample 1: missing field 'target_commit' "
                       "(also accepted: head_commit, head_sha, head)")
    assert not out.exists()


def test_aacr_comment_without_text_names_the_comment_field(tmp_path, repos):
    root, (base, head), _ = repos
    comment = aacr_comment("app/db.py", 2, 2, "Code Defect", "")
    data = write_json(tmp_path / "positive_samples.json", [aacr_sample("acme/shop", 7, base, head, [comment])])

    with pytest.raises(ConfigError, match=r"sample 0: missing field 'comments\[0\]\.note'"):
        import_aacr(data, root, tmp_path / "cases")


def test_a_plain_folder_inside_another_repository_is_not_a_clone(tmp_path):
    root = tmp_path / "repos"
    base, head = make_repo(root / "outer")  # the folder of clones is itself inside a repository
    (root / "outer" / "acme" / "shop").mkdir(parents=True)
    data = write_json(tmp_path / "positive_samples.json", [aacr_sample("acme/shop", 7, base, head, [])])

    summary = import_aacr(data, root / "outer", tmp_path / "cases")

    assert summary.written == 0
    assert summary.skipped[0][1].startswith(f"no clone under {root / 'outer'} (tried acme/shop,")


# --- Martian ---------------------------------------------------------------------------------

@pytest.fixture
def martian_dataset(tmp_path, repos):
    _, (base, head), _ = repos
    folder = tmp_path / "golden_comments"
    write_json(folder / "shop.json", [
        {   # a fork's copy of the upstream PR: the clone is found through original_url
            "pr_title": "Search users by name",
            "url": "https://github.com/review-forks/shop-copy/pull/1",
            "original_url": "https://github.com/acme/shop/pull/7",
            "base_sha": base, "head_sha": head,
            "comments": [
                {"comment": "User input reaches the SQL string", "severity": "Critical", "category": "security",
                 "path": "app/db.py", "line": 2},
                {"comment": "fetchall on an unbounded table", "severity": "High", "category": "perf",
                 "path": "app/db.py", "start_line": 3, "end_line": 4},
                {"comment": "README heading does not follow the style guide", "severity": "Low",
                 "category": "style", "path": "README.md", "lines": [1, 1]},
                {"comment": "the list copy is redundant", "severity": "Medium", "category": "bug",
                 "path": "app/db.py", "line": 4},
            ],
        },
        {   # the published shape: text and severity only
            "pr_title": "Text only", "url": "https://github.com/acme/shop/pull/11",
            "comments": [{"comment": "A race between two writers", "severity": "High"}],
        },
        {
            "pr_title": "Gone", "url": "https://github.com/other/gone/pull/3", "base_sha": base, "head_sha": head,
            "comments": [{"comment": "x", "severity": "Low", "path": "a.py", "line": 1}],
        },
        {
            "pr_title": "Rewritten history", "url": "https://github.com/acme/shop/pull/12",
            "base_sha": MISSING_SHA, "head_sha": head,
            "comments": [{"comment": "y", "severity": "Low", "path": "app/db.py", "line": 1}],
        },
    ])
    return folder


def test_martian_pr_becomes_a_case_with_severity_and_category_mapped(tmp_path, repos, martian_dataset):
    root, (base, head), _ = repos
    out = tmp_path / "cases"

    summary = import_martian(martian_dataset, root, out)

    case = load_case(out, "martian-review-forks__shop-copy-pr1")
    assert case["repo"] == str((root / "acme" / "shop").resolve())
    assert (case["base"], case["head"]) == (base, head)
    assert case["title"] == "Search users by name"
    assert case["source"] == "martian:review-forks/shop-copy#1"
    assert case["tags"] == ["martian-code-review-bench", "shop"]
    assert "original: https://github.com/acme/shop/pull/7" in case["notes"]
    assert case["expected"] == [
        {"path": "app/db.py", "lines": [2, 2], "category": "security", "severity": "critical",
         "why": "User input reaches the SQL string"},
        {"path": "app/db.py", "lines": [3, 4], "category": "performance", "severity": "important",
         "why": "fetchall on an unbounded table"},
        {"path": "README.md", "lines": [1, 1], "category": "codex", "severity": "note",
         "why": "README heading does not follow the style guide"},
        {"path": "app/db.py", "lines": [4, 4], "category": "quality", "severity": "suggestion",
         "why": "the list copy is redundant"},
    ]
    assert summary.written == 1
    assert [p.parent.name for p in summary.cases] == ["martian-review-forks__shop-copy-pr1"]


def test_martian_skips_text_only_missing_clone_and_missing_commit(tmp_path, repos, martian_dataset):
    root, _, _ = repos

    summary = import_martian(martian_dataset, root, tmp_path / "cases")

    assert summary.skipped == [
        ("martian:acme/shop#11", "no base_sha and head_sha in the sample (the published golden files carry only "
                                 "the PR URL)"),
        ("martian:other/gone#3", f"no clone under {root} (tried other/gone, other/gone.git, other__gone, "
                                 "other__gone.git, gone, gone.git)"),
        ("martian:acme/shop#12", f"base commit {MISSING_SHA} not found in {root / 'acme' / 'shop'}"),
    ]
    rendered = summary.render()
    assert rendered.startswith(f"Wrote 1 case to {tmp_path / 'cases'}. Skipped 3: martian:acme/shop#11 (no base_sha")
    assert "\n" not in rendered


def test_martian_partly_located_golden_comments_skip_the_pr(tmp_path, repos):
    root, (base, head), _ = repos
    data = write_json(tmp_path / "g.json", [{
        "url": "https://github.com/acme/shop/pull/7", "base_sha": base, "head_sha": head,
        "comments": [{"comment": "located", "severity": "Low", "path": "app/db.py", "line": 2},
                     {"comment": "not located", "severity": "Low"}],
    }])

    summary = import_martian(data, root, tmp_path / "cases")

    assert summary.written == 0
    assert summary.skipped == [("martian:acme/shop#7", "1 of 2 golden comments have no file path and line "
                                                       "(the published golden files carry only text)")]


def test_martian_unknown_severity_and_missing_text_are_config_errors(tmp_path, repos):
    root, _, _ = repos
    unknown = write_json(tmp_path / "a.json", [
        {"url": "https://github.com/acme/shop/pull/7", "comments": [{"comment": "c", "severity": "Urgent"}]},
    ])
    no_text = write_json(tmp_path / "b.json", [
        {"url": "https://github.com/acme/shop/pull/7", "comments": [{"severity": "Low"}]},
    ])
    no_url = write_json(tmp_path / "c.json", [{"pr_title": "t", "comments": []}])

    with pytest.raises(ConfigError) as first:
        import_martian(unknown, root, tmp_path / "cases")
    with pytest.raises(ConfigError) as second:
        import_martian(no_text, root, tmp_path / "cases")
    with pytest.raises(ConfigError) as third:
        import_martian(no_url, root, tmp_path / "cases")

    assert str(first.value) == (f"{unknown}: sample 0: comments[0].severity: unknown severity 'Urgent' "
                                "(expected one of critical, high, medium, low)")
    assert str(second.value) == (f"{no_text}: sample 0: missing field 'comments[0].comment' "
                                 "(also accepted: body, text, note)")
    assert str(third.value) == f"{no_url}: sample 0: missing field 'url' (also accepted: pr_url, html_url)"


def test_martian_case_names_stay_unique_for_the_same_pr(tmp_path, repos):
    root, (base, head), _ = repos
    sample = {"url": "https://github.com/acme/shop/pull/7", "base_sha": base, "head_sha": head,
              "comments": [{"comment": "c", "severity": "Low", "path": "app/db.py", "line": 1}]}
    data = write_json(tmp_path / "g.json", [sample, sample])

    summary = import_martian(data, root, tmp_path / "cases")

    assert [p.parent.name for p in summary.cases] == ["martian-acme__shop-pr7", "martian-acme__shop-pr7-2"]


# --- tables and helpers ----------------------------------------------------------------------

@pytest.mark.parametrize(("label", "category"), [
    ("Security Vulnerability", Category.SECURITY), ("security", Category.SECURITY),
    ("SQL injection vuln", Category.SECURITY), ("Performance", Category.PERFORMANCE),
    ("perf", Category.PERFORMANCE), ("doc_defect", Category.DOCS), ("Documentation", Category.DOCS),
    ("Breaking change", Category.RELEASE), ("Config", Category.RELEASE), ("deployment", Category.RELEASE),
    ("style", Category.CODEX), ("Coding standard", Category.CODEX), ("naming convention", Category.CODEX),
    ("Code Defect", Category.QUALITY), ("Maintainability and Readability", Category.QUALITY),
    ("bug", Category.QUALITY), ("error handling", Category.QUALITY), ("concurrency", Category.QUALITY),
    ("api", Category.QUALITY), ("something new", Category.QUALITY), (None, Category.QUALITY),
])
def test_category_table(label, category):
    assert map_category(label) is category


@pytest.mark.parametrize(("label", "severity"), [
    ("Critical", Severity.CRITICAL), ("High", Severity.IMPORTANT), ("major", Severity.IMPORTANT),
    ("Medium", Severity.SUGGESTION), ("Low", Severity.NOTE), ("nit", Severity.NOTE), (None, Severity.NOTE),
    ("P1", Severity.IMPORTANT), ("Urgent", None),
])
def test_severity_table(label, severity):
    assert map_severity(label) is severity


def test_clone_candidates_order(tmp_path):
    assert clone_candidates(tmp_path, "acme/shop") == [
        tmp_path / "acme/shop", tmp_path / "acme/shop.git", tmp_path / "acme__shop",
        tmp_path / "acme__shop.git", tmp_path / "shop", tmp_path / "shop.git",
    ]


def test_render_without_skips(tmp_path):
    assert ImportSummary(out=tmp_path, written=2).render() == f"Wrote 2 cases to {tmp_path}. No sample was skipped."


def test_written_cases_match_the_case_schema(tmp_path, repos, aacr_dataset, martian_dataset):
    """Every written case.yaml uses only the documented keys, and apart from ``source`` (which
    reviewer/evaluation/cases.py does not list yet) loads with the case loader."""
    from reviewer.evaluation.cases import load_case

    root, _, _ = repos
    out = tmp_path / "cases"
    written = import_aacr(aacr_dataset, root, out).cases + import_martian(martian_dataset, root, out).cases
    assert len(written) == 3
    allowed = {"repo", "base", "head", "title", "description", "source", "notes", "language", "tags", "expected"}
    for file in written:
        data = yaml.safe_load(file.read_text(encoding="utf-8"))
        assert set(data) <= allowed
        assert data["source"].startswith(("aacr:", "martian:"))
        data.pop("source")
        copy = tmp_path / "roundtrip" / file.parent.name / "case.yaml"
        copy.parent.mkdir(parents=True)
        copy.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
        case = load_case(copy)
        assert case.repo_path == Path(data["repo"])
        assert [(e.path, list(e.lines), e.category.value, e.severity.value, e.why) for e in case.expected] == [
            (e["path"], e["lines"], e["category"], e["severity"], e["why"]) for e in data["expected"]
        ]
