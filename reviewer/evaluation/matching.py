"""Pair the findings a review reported with the findings a case expects.

A reported finding matches an expected one when it is on the same path, its lines come within
``tolerance`` lines of the expected range (a file-level finding, without lines, is near any
line of its path), and it has the same category. A pair that is near but differs in category
matches only when the ``judge`` says so (``judged``) or, failing that, when ``cross_category``
is on (``cross``). Severity never decides a match; it is reported as agreement on its own.

The judge is asked about every such near pair of different categories, before the pairing.

Each finding takes part in at most one pair. Among the pairings with the most pairs, the one
chosen has the fewest category mismatches, then the smallest total line distance (a file-level
finding counts as ``tolerance + 1`` away), then pairs the earliest reported findings, then the
earliest expected ones (least sum of positions), so ties never lose a match and the result is
deterministic.
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from reviewer.evaluation.cases import Expected
from reviewer.globs import normalise_path
from reviewer.models import Category, Severity

__all__ = [
    "DEFAULT_TOLERANCE", "Judge", "Match", "MatchResult", "Reported", "line_distance", "match_findings",
    "reported_findings",
]

DEFAULT_TOLERANCE = 3

Judge = Callable[[Expected, "Reported"], bool]
"""Decides whether a pair that is near by place but differs in category is the same finding."""


@dataclass(frozen=True)
class Reported:
    """A finding from a review report; ``first``/``last`` are None for a file-level finding."""

    path: str
    first: int | None
    last: int | None
    category: Category
    severity: Severity
    rule_id: str | None = None
    title: str = ""
    agent: str = ""

    def __post_init__(self) -> None:
        """Normalise the path; a lone ``first`` is a one-line range; ranges run low to high."""
        object.__setattr__(self, "path", normalise_path(self.path.strip()))
        first, last = self.first, self.last
        if first is None:
            last = None
        elif last is None:
            last = first
        elif first > last:
            first, last = last, first
        object.__setattr__(self, "first", first)
        object.__setattr__(self, "last", last)

    @property
    def file_level(self) -> bool:
        """True when the finding is about the file as a whole."""
        return self.first is None

    @classmethod
    def from_public(cls, data: Mapping[str, Any]) -> Reported:
        """Read one finding in the report's JSON shape (``Finding.to_public()``)."""
        try:
            line, end = data.get("line"), data.get("end_line")
            return cls(
                path=str(data["path"]),
                first=None if line is None else int(line),
                last=None if line is None or end is None else int(end),
                category=Category(data["category"]),
                severity=Severity(data["severity"]),
                rule_id=data.get("rule_id"),
                title=str(data.get("title") or ""),
                agent=str(data.get("agent") or ""),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"not a finding in the report's shape ({exc!r}): {dict(data)!r}") from exc


def reported_findings(report: Mapping[str, Any]) -> list[Reported]:
    """The ``findings`` then the ``file_findings`` of a JSON review report."""
    items = [*(report.get("findings") or []), *(report.get("file_findings") or [])]
    return [Reported.from_public(item) for item in items]


@dataclass(frozen=True)
class Match:
    """An expected finding and the reported finding taken as the same."""

    expected: Expected
    reported: Reported
    distance: int | None = None
    """Lines between the ranges (0 when they overlap); None for a file-level finding."""
    judged: bool = False
    """The categories differ and the judge accepted the pair."""
    cross: bool = False
    """The categories differ and only ``cross_category`` accepted the pair."""

    @property
    def same_category(self) -> bool:
        """True when reported and expected category agree."""
        return self.expected.category == self.reported.category

    @property
    def severity_agrees(self) -> bool:
        """True when the reported severity is at least the expected minimum."""
        return self.reported.severity.at_least(self.expected.severity)


@dataclass(frozen=True)
class MatchResult:
    """The outcome for one case: pairs (TP), expected never reported (FN), reported unmatched (FP)."""

    matches: list[Match] = field(default_factory=list)
    unmatched_expected: list[Expected] = field(default_factory=list)
    unmatched_reported: list[Reported] = field(default_factory=list)


def line_distance(expected: Expected, reported: Reported) -> int | None:
    """Lines between the two ranges (0 when they overlap); None for a file-level finding."""
    if reported.first is None or reported.last is None:
        return None
    return max(0, reported.first - expected.last, expected.first - reported.last)


def match_findings(
    expected: Sequence[Expected],
    reported: Sequence[Reported],
    *,
    tolerance: int = DEFAULT_TOLERANCE,
    cross_category: bool = False,
    judge: Judge | None = None,
) -> MatchResult:
    """Pair ``reported`` with ``expected`` findings (see the module docstring for the rules)."""
    if tolerance < 0:
        raise ValueError("tolerance must not be negative")
    edges: dict[tuple[int, int], _Edge] = {}
    for i, exp in enumerate(expected):
        for j, rep in enumerate(reported):
            edge = _edge(exp, rep, tolerance, cross_category, judge)
            if edge is not None:
                edges[(i, j)] = edge
    paired = _best_pairs(edges, len(expected), len(reported), tolerance)
    matches = [
        Match(expected[i], reported[j], edges[(i, j)].distance, edges[(i, j)].judged, edges[(i, j)].cross)
        for i, j in sorted(paired)
    ]
    taken_e = {i for i, _ in paired}
    taken_r = {j for _, j in paired}
    return MatchResult(
        matches=matches,
        unmatched_expected=[e for i, e in enumerate(expected) if i not in taken_e],
        unmatched_reported=[r for j, r in enumerate(reported) if j not in taken_r],
    )


@dataclass(frozen=True)
class _Edge:
    distance: int | None
    judged: bool = False
    cross: bool = False


def _edge(exp: Expected, rep: Reported, tolerance: int, cross_category: bool, judge: Judge | None) -> _Edge | None:
    """How ``rep`` may pair with ``exp``, or None when it may not."""
    if normalise_path(exp.path) != rep.path:
        return None
    distance = line_distance(exp, rep)
    if distance is not None and distance > tolerance:
        return None
    if exp.category == rep.category:
        return _Edge(distance)
    if judge is not None and judge(exp, rep):
        return _Edge(distance, judged=True)
    if cross_category:
        return _Edge(distance, cross=True)
    return None


def _best_pairs(edges: dict[tuple[int, int], _Edge], n_exp: int, n_rep: int, tolerance: int) -> list[tuple[int, int]]:
    """The preferred maximum matching, solved for each connected group of candidate pairs."""
    # Lexicographic cost (mismatch, distance, reported index, expected index) as one integer:
    # each weight exceeds the largest total the lower terms can reach in one matching.
    k = min(n_exp, n_rep)
    w_rep = k * n_exp + 1
    w_dist = (k * n_rep + 1) * w_rep
    w_mismatch = (k * (tolerance + 1) + 1) * w_dist
    costs = {}
    for (i, j), edge in edges.items():
        distance = tolerance + 1 if edge.distance is None else edge.distance
        costs[(i, j)] = (edge.judged or edge.cross) * w_mismatch + distance * w_dist + j * w_rep + i
    # Group into connected parts: a pair links one expected and one reported finding.
    parent = list(range(n_exp + n_rep))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for i, j in costs:
        parent[find(i)] = find(n_exp + j)
    groups: dict[int, dict[tuple[int, int], int]] = defaultdict(dict)
    for (i, j), cost in costs.items():
        groups[find(i)][(i, j)] = cost
    pairs: list[tuple[int, int]] = []
    for group in groups.values():
        pairs += _min_cost_max_matching(group)
    return pairs


def _min_cost_max_matching(costs: dict[tuple[int, int], int]) -> list[tuple[int, int]]:
    """A maximum bipartite matching of least total cost (successive shortest paths, Dijkstra)."""
    lefts = sorted({i for i, _ in costs})
    rights = sorted({j for _, j in costs})
    node = {("e", i): n for n, i in enumerate(lefts)} | {("r", j): len(lefts) + n for n, j in enumerate(rights)}
    source, sink = len(node), len(node) + 1
    size = len(node) + 2
    graph: list[list[int]] = [[] for _ in range(size)]
    head: list[int] = []
    cap: list[int] = []
    cost: list[int] = []

    def add(u: int, v: int, c: int) -> int:
        for a, b, cc, cp in ((u, v, c, 1), (v, u, -c, 0)):
            graph[a].append(len(head))
            head.append(b)
            cost.append(cc)
            cap.append(cp)
        return len(head) - 2

    for i in lefts:
        add(source, node[("e", i)], 0)
    for j in rights:
        add(node[("r", j)], sink, 0)
    pair_edge = {pair: add(node[("e", pair[0])], node[("r", pair[1])], c) for pair, c in sorted(costs.items())}
    potential = [0] * size  # Johnson potentials keep reduced costs non-negative for Dijkstra
    while True:
        dist: list[int | None] = [None] * size
        via = [-1] * size
        dist[source] = 0
        queue = [(0, source)]
        while queue:
            du, u = heapq.heappop(queue)
            if du != dist[u]:
                continue
            for e in graph[u]:
                v = head[e]
                if not cap[e]:
                    continue
                dv = du + cost[e] + potential[u] - potential[v]
                if dist[v] is None or dv < dist[v]:
                    dist[v], via[v] = dv, e
                    heapq.heappush(queue, (dv, v))
        if dist[sink] is None:
            break
        for n in range(size):
            if dist[n] is not None:
                potential[n] += dist[n]
        v = sink
        while v != source:
            e = via[v]
            cap[e] -= 1
            cap[e ^ 1] += 1
            v = head[e ^ 1]
    return [pair for pair, e in pair_edge.items() if cap[e] == 0]
