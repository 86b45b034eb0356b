"""Precision, recall and F1 per category and overall, from the matched findings of every case.

A reported finding counts once: a true positive of the expected finding's category when it is
matched (a cross-category or judged pair included), else a false positive of its own category.
An expected finding nobody matched is a false negative of its category. ``overall`` is the
micro-average (from the summed counts). A case that could not run (``error``) is listed with its
cost but left out of every figure, so its expected findings are not counted as missed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from reviewer.evaluation.cases import Expected
from reviewer.evaluation.matching import DEFAULT_TOLERANCE, Match, MatchResult, Reported
from reviewer.models import AgentRun, Category

__all__ = ["CaseOutcome", "CleanStats", "EvalResult", "Scores", "SeverityAgreement", "Usage", "ratio", "score"]


def ratio(part: float, whole: float) -> float | None:
    """``part / whole``, or None when ``whole`` is zero."""
    return part / whole if whole else None


@dataclass(frozen=True)
class Usage:
    """What running one case (or all of them) cost."""

    model_calls: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float = 0.0
    seconds: float = 0.0

    def __add__(self, other: Usage) -> Usage:
        return Usage(
            self.model_calls + other.model_calls,
            self.prompt_tokens + other.prompt_tokens,
            self.completion_tokens + other.completion_tokens,
            self.cost_usd + other.cost_usd,
            self.seconds + other.seconds,
        )

    @classmethod
    def from_agents(cls, agents: Iterable[AgentRun | Mapping[str, Any]], *, seconds: float | None = None) -> Usage:
        """Summed over a review's agent runs (``AgentRun`` values or the report's ``agents`` dicts).

        ``seconds`` is the wall time when given, else the agents' seconds added up. A report's
        dicts carry no call count, so ``model_calls`` is 0 for them.
        """
        total = cls()
        for agent in agents:
            total += cls(
                model_calls=int(_value(agent, "calls") or 0),
                prompt_tokens=int(_value(agent, "prompt_tokens") or 0),
                completion_tokens=int(_value(agent, "completion_tokens") or 0),
                cost_usd=float(_value(agent, "cost_usd") or 0.0),
                seconds=float(_value(agent, "seconds") or 0.0),
            )
        return total if seconds is None else replace(total, seconds=seconds)


def _value(agent: AgentRun | Mapping[str, Any], key: str) -> Any:
    return agent.get(key) if isinstance(agent, Mapping) else getattr(agent, key, None)


@dataclass(frozen=True)
class CaseOutcome:
    """One case after its review: the pairs, the misses, the extras, the cost, or the error."""

    name: str
    expected: int
    """How many findings the case expects."""
    matches: list[Match] = field(default_factory=list)
    missed: list[Expected] = field(default_factory=list)
    extra: list[Reported] = field(default_factory=list)
    usage: Usage = field(default_factory=Usage)
    error: str | None = None
    """Why the case could not run; such a case counts in no figure."""

    @property
    def reported(self) -> int:
        """How many findings the review reported."""
        return len(self.matches) + len(self.extra)

    @property
    def tp(self) -> int:
        return len(self.matches)

    @property
    def fp(self) -> int:
        return len(self.extra)

    @property
    def fn(self) -> int:
        return len(self.missed)

    @property
    def clean(self) -> bool:
        """True when the case expects no finding."""
        return self.expected == 0

    @classmethod
    def from_match(cls, name: str, result: MatchResult, usage: Usage | None = None) -> CaseOutcome:
        """The outcome of a case that ran, from its matching."""
        return cls(
            name=name,
            expected=len(result.matches) + len(result.unmatched_expected),
            matches=list(result.matches),
            missed=list(result.unmatched_expected),
            extra=list(result.unmatched_reported),
            usage=usage or Usage(),
        )

    @classmethod
    def failed(cls, name: str, error: str, *, expected: int = 0, usage: Usage | None = None) -> CaseOutcome:
        """A case that could not run (bad repository, review error, …)."""
        return cls(name=name, expected=expected, usage=usage or Usage(), error=error)


@dataclass(frozen=True)
class Scores:
    """True/false positives and false negatives, and what follows from them."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    def __add__(self, other: Scores) -> Scores:
        return Scores(self.tp + other.tp, self.fp + other.fp, self.fn + other.fn)

    @property
    def precision(self) -> float | None:
        """tp / (tp + fp); None when nothing was reported."""
        return ratio(self.tp, self.tp + self.fp)

    @property
    def recall(self) -> float | None:
        """tp / (tp + fn); None when nothing was expected."""
        return ratio(self.tp, self.tp + self.fn)

    @property
    def f1(self) -> float | None:
        """The harmonic mean of precision and recall; None when either is, 0.0 when both are 0."""
        p, r = self.precision, self.recall
        if p is None or r is None:
            return None
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass(frozen=True)
class CleanStats:
    """Findings on cases that expect none."""

    cases: int = 0
    findings: int = 0

    @property
    def findings_per_case(self) -> float | None:
        """Average findings per clean case; None without clean cases."""
        return ratio(self.findings, self.cases)


@dataclass(frozen=True)
class SeverityAgreement:
    """Matched pairs whose reported severity is at least the expected minimum."""

    matched: int = 0
    agreeing: int = 0

    @property
    def share(self) -> float | None:
        """agreeing / matched; None without matches."""
        return ratio(self.agreeing, self.matched)


@dataclass(frozen=True)
class EvalResult:
    """The scored evaluation: every case, and the figures over the cases that ran."""

    cases: list[CaseOutcome]
    categories: dict[Category, Scores]
    overall: Scores
    clean: CleanStats
    severity: SeverityAgreement
    tolerance: int = DEFAULT_TOLERANCE
    cross_category: bool = False
    """Whether pairs differing only in category were accepted."""

    @property
    def usage(self) -> Usage:
        """The cost of every case, failed ones included."""
        total = Usage()
        for case in self.cases:
            total += case.usage
        return total

    @property
    def failed(self) -> list[CaseOutcome]:
        """The cases that could not run."""
        return [c for c in self.cases if c.error is not None]

    @property
    def cross_pairs(self) -> list[tuple[str, Match]]:
        """(case name, pair) for every matched pair whose categories differ."""
        return [(c.name, m) for c in self.cases for m in c.matches if not m.same_category]


def score(outcomes: Sequence[CaseOutcome], *, tolerance: int = DEFAULT_TOLERANCE,
          cross_category: bool = False) -> EvalResult:
    """Count every case that ran into per-category, overall, clean and severity figures.

    ``tolerance`` and ``cross_category`` are the options the matching used, kept for the report.
    """
    counts = {c: {"tp": 0, "fp": 0, "fn": 0} for c in Category}
    clean_cases = clean_findings = matched = agreeing = 0
    for case in outcomes:
        if case.error is not None:
            continue
        for m in case.matches:
            counts[m.expected.category]["tp"] += 1
            matched += 1
            agreeing += m.severity_agrees
        for r in case.extra:
            counts[r.category]["fp"] += 1
        for e in case.missed:
            counts[e.category]["fn"] += 1
        if case.clean:
            clean_cases += 1
            clean_findings += case.reported
    categories = {c: Scores(**n) for c, n in counts.items()}
    overall = Scores()
    for s in categories.values():
        overall += s
    return EvalResult(
        cases=list(outcomes),
        categories=categories,
        overall=overall,
        clean=CleanStats(clean_cases, clean_findings),
        severity=SeverityAgreement(matched, agreeing),
        tolerance=tolerance,
        cross_category=cross_category,
    )
