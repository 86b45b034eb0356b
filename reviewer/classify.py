"""Risk classification: how deep a review a change gets, and the reasons that led there.

Deterministic and pure. Files marked not-for-review (lock, generated, vendored, binary…) do
not count toward the size, except migrations and diffs GitLab would not show (too large),
which always count and always make the change full. A security-sensitive path or more than ``full_over_files`` files also make it full;
otherwise the size decides (Cloudflare's thresholds are the defaults).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from reviewer.globs import glob_match
from reviewer.models import FileDiff, RiskAssessment, RiskTier
from reviewer.settings import RiskThresholds

MAX_LISTED = 5
"""How many paths one kind of reason names before it says "and N more"."""

UNSEEN_MARKERS = ("too large", "collapsed", "no diff")
"""Words in a ``skip_reason`` that mean the diff could not be shown (the GitLab source sets
these): such a file still counts, and the change is full, since its size is unknown."""


def classify(files: Sequence[FileDiff], thresholds: RiskThresholds) -> RiskAssessment:
    """The risk tier of a change and the human-readable reasons for it."""
    if not files:
        return RiskAssessment(tier=RiskTier.TRIVIAL, reasons=["no changed files → trivial"])

    migrations = [f for f in files if _matching_glob(f, thresholds.migration_paths)]
    unseen = [f for f in files if any(m in (f.skip_reason or "").lower() for m in UNSEEN_MARKERS)]
    always_counted = {id(f) for f in [*migrations, *unseen]}
    counted = [f for f in files if f.reviewable or id(f) in always_counted]
    counted_ids = {id(f) for f in counted}
    uncounted = [f for f in files if id(f) not in counted_ids]
    sensitive = [(f, glob) for f in counted if (glob := _matching_glob(f, thresholds.sensitive_paths))]

    n_files = len(counted)
    n_lines = sum(f.added + f.removed for f in counted)
    size_tier, size_reason = _size_tier(n_files, n_lines, thresholds)

    raises: list[str] = []
    if n_files > thresholds.full_over_files:
        raises.append(f"{n_files} files changed (>{thresholds.full_over_files} files is always full)")
    raises += _listed(
        [f"security-sensitive path: {f.path} (matches {glob})" for f, glob in sensitive],
        "security-sensitive paths",
    )
    raises += _listed(
        [f"migration: {f.path} (always counted, always full)" for f in migrations], "migrations"
    )
    raises += _listed([f"diff not available: {f.path} ({f.skip_reason})" for f in unseen], "unavailable diffs")

    if raises and size_tier is not RiskTier.FULL:
        tier = RiskTier.FULL
        size_reason += f" by size, raised to {RiskTier.FULL.value}"
    else:
        tier = size_tier
    return RiskAssessment(tier=tier, reasons=[*raises, size_reason, *_uncounted_reasons(uncounted)])


def _size_tier(n_files: int, n_lines: int, t: RiskThresholds) -> tuple[RiskTier, str]:
    """The tier the size alone gives, and a reason naming the numbers and the limits."""
    size = f"{_plural(n_files, 'file')}, {_plural(n_lines, 'changed line')}"
    if n_lines <= t.trivial_max_lines and n_files <= t.trivial_max_files:
        return RiskTier.TRIVIAL, (
            f"{size} (≤{t.trivial_max_lines} lines, ≤{t.trivial_max_files} files) → {RiskTier.TRIVIAL.value}"
        )
    if n_lines <= t.light_max_lines and n_files <= t.light_max_files:
        return RiskTier.LIGHT, (
            f"{size} (≤{t.light_max_lines} lines, ≤{t.light_max_files} files) → {RiskTier.LIGHT.value}"
        )
    over = []
    if n_lines > t.light_max_lines:
        over.append(f">{t.light_max_lines} lines")
    if n_files > t.light_max_files:
        over.append(f">{t.light_max_files} files")
    return RiskTier.FULL, f"{size} ({', '.join(over)}) → {RiskTier.FULL.value}"


def _uncounted_reasons(files: Iterable[FileDiff]) -> list[str]:
    """One reason per skip kind: "not counted (lock file): package-lock.json, yarn.lock"."""
    by_reason: dict[str, list[str]] = {}
    for f in files:
        by_reason.setdefault(f.skip_reason or "not for review", []).append(f.path)
    reasons = []
    for why, paths in by_reason.items():
        shown = ", ".join(paths[:MAX_LISTED])
        more = f" and {len(paths) - MAX_LISTED} more" if len(paths) > MAX_LISTED else ""
        reasons.append(f"{_plural(len(paths), 'file')} not counted ({why}): {shown}{more}")
    return reasons


def _matching_glob(file: FileDiff, globs: Iterable[str]) -> str | None:
    """The first glob that the file's old or new path matches (case-insensitively), if any."""
    paths = {file.old_path.casefold(), file.new_path.casefold()}
    for glob in globs:
        folded = glob.casefold()
        if any(p and glob_match(p, folded) for p in paths):
            return glob
    return None


def _listed(reasons: list[str], kind: str) -> list[str]:
    """The first ``MAX_LISTED`` reasons, then one that counts the rest."""
    if len(reasons) <= MAX_LISTED:
        return reasons
    return [*reasons[:MAX_LISTED], f"and {len(reasons) - MAX_LISTED} more {kind}"]


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"
