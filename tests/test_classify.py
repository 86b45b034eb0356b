"""Risk tiers at their boundaries, and the reasons given for them."""

from __future__ import annotations

import pytest

from reviewer.classify import classify
from reviewer.gitlab_mr.source import TOO_LARGE_REASON
from reviewer.models import DiffLine, FileDiff, Hunk, RiskTier
from reviewer.settings import RiskThresholds

DEFAULTS = RiskThresholds()


def changed(path: str, added: int = 1, removed: int = 0, skip: str | None = None, **kw) -> FileDiff:
    """A file with ``added`` added and ``removed`` removed lines in one hunk."""
    lines = [
        DiffLine(kind="removed", content=f"old {i}", old_line=i + 1, new_line=None, old_pos=i + 1, new_pos=1)
        for i in range(removed)
    ] + [
        DiffLine(kind="added", content=f"new {i}", old_line=None, new_line=i + 1, old_pos=removed, new_pos=i + 1)
        for i in range(added)
    ]
    hunk = Hunk(old_start=1, old_count=removed, new_start=1, new_count=added, lines=lines)
    return FileDiff(old_path=kw.pop("old_path", path), new_path=path, hunks=[hunk], skip_reason=skip, **kw)


def spread(n_files: int, n_lines: int) -> list[FileDiff]:
    """``n_files`` plain source files sharing ``n_lines`` added lines."""
    per, extra = divmod(n_lines, n_files)
    return [changed(f"src/mod{i}.py", per + (1 if i < extra else 0)) for i in range(n_files)]


@pytest.mark.parametrize(
    ("n_files", "n_lines", "tier"),
    [
        (1, 10, RiskTier.TRIVIAL),
        (1, 11, RiskTier.LIGHT),
        (20, 10, RiskTier.TRIVIAL),
        (21, 10, RiskTier.FULL),
        (3, 100, RiskTier.LIGHT),
        (3, 101, RiskTier.FULL),
        (20, 100, RiskTier.LIGHT),
        (21, 100, RiskTier.FULL),
        (50, 60, RiskTier.FULL),
        (51, 60, RiskTier.FULL),
    ],
)
def test_size_boundaries(n_files: int, n_lines: int, tier: RiskTier) -> None:
    assert classify(spread(n_files, n_lines), DEFAULTS).tier is tier


def test_removed_lines_count_as_changed() -> None:
    assert classify([changed("src/a.py", added=5, removed=6)], DEFAULTS).tier is RiskTier.LIGHT


def test_reason_names_the_numbers_and_limits() -> None:
    result = classify(spread(3, 42), DEFAULTS)
    assert result.tier is RiskTier.LIGHT
    assert result.reasons == ["3 files, 42 changed lines (≤100 lines, ≤20 files) → light"]


def test_trivial_reason_singular() -> None:
    assert classify([changed("README.md", 1)], DEFAULTS).reasons == [
        "1 file, 1 changed line (≤10 lines, ≤20 files) → trivial"
    ]


def test_full_by_size_says_which_limit() -> None:
    assert classify(spread(3, 150), DEFAULTS).reasons == ["3 files, 150 changed lines (>100 lines) → full"]
    assert classify(spread(25, 30), DEFAULTS).reasons == ["25 files, 30 changed lines (>20 files) → full"]


def test_more_than_fifty_files_is_full_even_with_loose_limits() -> None:
    loose = RiskThresholds(light_max_files=1000, light_max_lines=1000)
    result = classify(spread(51, 60), loose)
    assert result.tier is RiskTier.FULL
    assert result.reasons[0] == "51 files changed (>50 files is always full)"
    assert result.reasons[1].endswith("→ light by size, raised to full")
    assert classify(spread(50, 60), loose).tier is RiskTier.LIGHT


def test_sensitive_path_makes_a_tiny_change_full() -> None:
    result = classify([changed("src/auth/login.py", 1)], DEFAULTS)
    assert result.tier is RiskTier.FULL
    assert result.reasons == [
        "security-sensitive path: src/auth/login.py (matches **/auth/**)",
        "1 file, 1 changed line (≤10 lines, ≤20 files) → trivial by size, raised to full",
    ]


@pytest.mark.parametrize(
    "path", ["Dockerfile", "deploy/main.tf", ".gitlab-ci.yml", "app/OAuthSession.java", "lib/CryptoUtils.go"]
)
def test_sensitive_globs_match_at_root_and_ignore_case(path: str) -> None:
    assert classify([changed(path)], DEFAULTS).tier is RiskTier.FULL


def test_renamed_out_of_a_sensitive_folder_is_still_sensitive() -> None:
    moved = changed("src/util/login.py", old_path="src/auth/login.py", renamed_file=True)
    assert classify([moved], DEFAULTS).reasons[0].startswith("security-sensitive path: src/util/login.py")


def test_plain_paths_are_not_sensitive() -> None:
    assert classify([changed("src/app/views.py"), changed("docs/index.md")], DEFAULTS).tier is RiskTier.TRIVIAL


def test_lock_file_not_counted() -> None:
    files = [changed("src/app.py", 3), changed("package-lock.json", 5000, skip="lock file")]
    result = classify(files, DEFAULTS)
    assert result.tier is RiskTier.TRIVIAL
    assert result.reasons == [
        "1 file, 3 changed lines (≤10 lines, ≤20 files) → trivial",
        "1 file not counted (lock file): package-lock.json",
    ]


def test_skipped_files_are_not_sensitive_either() -> None:
    files = [changed("vendor/lib/session.go", 10, skip="vendored")]
    assert classify(files, DEFAULTS).tier is RiskTier.TRIVIAL


def test_not_counted_list_is_capped() -> None:
    files = [changed(f"dist/m{i}.min.js", 1, skip="generated") for i in range(8)]
    reason = classify(files, DEFAULTS).reasons[-1]
    assert reason == (
        "8 files not counted (generated): dist/m0.min.js, dist/m1.min.js, dist/m2.min.js, "
        "dist/m3.min.js, dist/m4.min.js and 3 more"
    )


def test_migration_counts_even_when_it_would_be_skipped() -> None:
    migration = changed("db/migrations/0042_add_index.sql", 12, skip="generated")
    result = classify([changed("src/app.py", 1), migration], DEFAULTS)
    assert result.tier is RiskTier.FULL
    assert result.reasons == [
        "migration: db/migrations/0042_add_index.sql (always counted, always full)",
        "2 files, 13 changed lines (≤100 lines, ≤20 files) → light by size, raised to full",
    ]


def test_diff_too_large_to_show_counts_and_makes_it_full() -> None:
    big = FileDiff(old_path="src/engine.py", new_path="src/engine.py", skip_reason=TOO_LARGE_REASON)
    result = classify([big], DEFAULTS)
    assert result.tier is RiskTier.FULL
    assert result.reasons == [
        f"diff not available: src/engine.py ({TOO_LARGE_REASON})",
        "1 file, 0 changed lines (≤10 lines, ≤20 files) → trivial by size, raised to full",
    ]


def test_many_sensitive_paths_are_summarised() -> None:
    files = [changed(f"src/auth/m{i}.py") for i in range(7)]
    reasons = classify(files, DEFAULTS).reasons
    assert sum(r.startswith("security-sensitive path:") for r in reasons) == 5
    assert "and 2 more security-sensitive paths" in reasons


def test_no_files_is_trivial() -> None:
    assert classify([], DEFAULTS).model_dump() == {"tier": RiskTier.TRIVIAL, "reasons": ["no changed files → trivial"]}


def test_only_skipped_files_is_trivial_with_zero_counted() -> None:
    result = classify([changed("yarn.lock", 300, skip="lock file")], DEFAULTS)
    assert result.tier is RiskTier.TRIVIAL
    assert result.reasons[0] == "0 files, 0 changed lines (≤10 lines, ≤20 files) → trivial"


def test_configurable_thresholds() -> None:
    strict = RiskThresholds(trivial_max_lines=0, light_max_lines=5, sensitive_paths=["docs/**"], migration_paths=[])
    assert classify([changed("src/a.py", 1)], strict).tier is RiskTier.LIGHT
    assert classify([changed("src/a.py", 6)], strict).tier is RiskTier.FULL
    assert classify([changed("docs/x.md", 1)], strict).tier is RiskTier.FULL
    assert classify([changed("db/migrations/1.sql", 1)], strict).tier is RiskTier.LIGHT


def test_deterministic_for_the_same_input() -> None:
    files = [changed("src/auth/a.py", 4), changed("package-lock.json", 9, skip="lock file"), *spread(4, 30)]
    assert classify(files, DEFAULTS) == classify(list(files), DEFAULTS)
