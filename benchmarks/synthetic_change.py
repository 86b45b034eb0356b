"""A synthetic merge request for the benchmark: a git repository with a base and a head commit.

The change mixes Python, TypeScript, Go, SQL migrations, Markdown and YAML; files are added,
modified, deleted and renamed; sizes follow a long-tailed spread (many small edits, a few big
ones). Every line is generated from a vocabulary of identifiers, calls and sentences, so the
text tokenises like real code rather than one repeated line. Deterministic for a given seed.
"""

from __future__ import annotations

import os
import random
import subprocess
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

WORDS = (
    "account address amount audit balance batch billing buffer cache cart channel charge checkout client "
    "cluster config connection consumer context count coupon credit currency customer cursor deadline "
    "delivery device discount document draft email entry event export feature filter gateway handler "
    "header history identity import index inventory invoice item job ledger limit listing locale lookup "
    "message metric mode notice offset order owner package page partner payload payment payout period "
    "pipeline plan policy price product profile project query queue quota rate receipt record refund "
    "region report request reservation response result retry review route schedule schema search "
    "segment sender shipment signal snapshot source status stock store stream subscription summary "
    "supplier target task tenant ticket timeout topic total trace transfer upload usage user vendor "
    "version warehouse webhook window worker"
).split()
VERBS = (
    "apply build check collect compute convert create decode encode ensure fetch filter find flush "
    "format group handle load lookup merge normalize parse prepare publish read refresh register "
    "remove render resolve restore retry save schedule select send sync track update validate write"
).split()
ADJECTIVES = (
    "active archived cached current default expired external failed first internal last latest "
    "local next pending primary remote retried scheduled stale total valid"
).split()
PY_TYPES = ("int", "str", "bool", "float", "dict[str, Any]", "list[str]", "Decimal", "datetime", "bytes")
TS_TYPES = ("string", "number", "boolean", "Date", "string[]", "Record<string, number>", "unknown")
GO_TYPES = ("int64", "string", "bool", "float64", "[]byte", "time.Time", "time.Duration", "[]string")
SQL_TYPES = ("bigint", "integer", "text", "varchar(255)", "boolean", "timestamptz", "numeric(12,2)", "jsonb")
ERRORS = ("ValueError", "KeyError", "TimeoutError", "PermissionError", "LookupError", "RuntimeError")

KIND_WEIGHTS = {"py": 34, "ts": 24, "go": 14, "sql": 5, "md": 12, "yaml": 11}
CHANGE_WEIGHTS = {"added": 18, "modified": 66, "deleted": 8, "renamed": 8}


class Vocab:
    """Random identifiers, expressions and sentences in a language's naming style."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def words(self, lo: int = 1, hi: int = 3) -> list[str]:
        return self.rng.sample(WORDS, self.rng.randint(lo, hi))

    def snake(self, lo: int = 1, hi: int = 3) -> str:
        return "_".join(self.words(lo, hi))

    def camel(self, lo: int = 1, hi: int = 3) -> str:
        first, *rest = self.words(lo, hi)
        return first + "".join(w.capitalize() for w in rest)

    def pascal(self, lo: int = 1, hi: int = 3) -> str:
        return "".join(w.capitalize() for w in self.words(lo, hi))

    def verb_snake(self) -> str:
        return f"{self.rng.choice(VERBS)}_{self.snake(1, 2)}"

    def verb_camel(self) -> str:
        return self.rng.choice(VERBS) + self.pascal(1, 2)

    def number(self) -> str:
        return str(self.rng.choice((0, 1, 2, 3, 5, 10, 30, 60, 100, 250, 500, 1000, 3600, 86400)))

    def sentence(self, lo: int = 5, hi: int = 14) -> str:
        pool = [*WORDS, *VERBS, *ADJECTIVES, "the", "a", "when", "if", "and", "or", "with", "for", "before",
                "after", "each", "every", "is", "are", "must", "should", "not", "only", "once", "per"]
        text = " ".join(self.rng.choice(pool) for _ in range(self.rng.randint(lo, hi)))
        return text[0].upper() + text[1:]


@dataclass
class Lang:
    """How one language makes statements, blocks and file headers."""

    indent: str
    block_close: str | None
    header: Callable[[Vocab], list[str]]
    unit: Callable[[Vocab], list[str]]
    simple: Callable[[Vocab, str], str]
    block: Callable[[Vocab, str], list[str]]


# -- Python -------------------------------------------------------------------------------------
def _py_header(v: Vocab) -> list[str]:
    lines = [f'"""{v.sentence()}."""', "", "from __future__ import annotations", "", "import logging"]
    for _ in range(v.rng.randint(1, 4)):
        lines.append(f"from {v.snake(1, 2)}.{v.snake(1, 1)} import {v.pascal()}, {v.verb_snake()}")
    return [*lines, "", "log = logging.getLogger(__name__)", ""]


def _py_simple(v: Vocab, ind: str) -> str:
    r = v.rng.random()
    if r < 0.3:
        return f"{ind}{v.snake()} = {v.verb_snake()}({v.snake(1, 2)}, {v.snake(1, 1)}={v.number()})"
    if r < 0.45:
        return f'{ind}log.info("{v.sentence(3, 7).lower()}", {v.snake(1, 1)}={v.snake(1, 2)})'
    if r < 0.6:
        return f"{ind}{v.snake(1, 2)}.append({v.snake(1, 1)}.{v.snake(1, 2)})"
    if r < 0.75:
        return f'{ind}{v.snake(1, 2)}["{v.snake(1, 1)}"] = {v.snake(1, 2)}.get("{v.snake(1, 1)}", {v.number()})'
    if r < 0.88:
        return f"{ind}{v.snake()} += {v.snake(1, 1)}.{v.snake(1, 2)} * {v.number()}"
    return f"{ind}await self.{v.snake(1, 1)}.{v.verb_snake()}({v.snake(1, 2)})"


def _py_block(v: Vocab, ind: str) -> list[str]:
    inner = ind + "    "
    r = v.rng.random()
    if r < 0.35:
        head = f"{ind}if {v.snake(1, 2)} is None or {v.snake(1, 1)} > {v.number()}:"
        body = [f'{inner}raise {v.rng.choice(ERRORS)}(f"{v.sentence(3, 8).lower()}: {{{v.snake(1, 1)}}}")']
    elif r < 0.7:
        head = f"{ind}for {v.snake(1, 1)} in {v.snake(1, 2)}:"
        body = [_py_simple(v, inner) for _ in range(v.rng.randint(1, 3))]
    else:
        head = f"{ind}with {v.verb_snake()}({v.snake(1, 2)}) as {v.snake(1, 1)}:"
        body = [_py_simple(v, inner) for _ in range(v.rng.randint(1, 3))]
    return [head, *body]


def _py_unit(v: Vocab) -> list[str]:
    params = ", ".join(f"{v.snake(1, 2)}: {v.rng.choice(PY_TYPES)}" for _ in range(v.rng.randint(1, 3)))
    lines = [f"def {v.verb_snake()}({params}) -> {v.rng.choice(PY_TYPES)}:", f'    """{v.sentence()}."""']
    for _ in range(v.rng.randint(2, 6)):
        lines.extend(_py_block(v, "    ") if v.rng.random() < 0.35 else [_py_simple(v, "    ")])
    return [*lines, f"    return {v.snake(1, 2)}", "", ""]


# -- TypeScript ---------------------------------------------------------------------------------
def _ts_header(v: Vocab) -> list[str]:
    lines = [f'import {{ {v.pascal()}, {v.verb_camel()} }} from "../{v.camel(1, 2)}/{v.camel(1, 1)}";'
             for _ in range(v.rng.randint(1, 4))]
    return [*lines, f'import {{ logger }} from "../logging";', ""]


def _ts_simple(v: Vocab, ind: str) -> str:
    r = v.rng.random()
    if r < 0.35:
        return f"{ind}const {v.camel()} = await {v.camel(1, 1)}.{v.verb_camel()}({v.camel(1, 2)}, {v.number()});"
    if r < 0.5:
        return f'{ind}logger.debug("{v.sentence(3, 7).lower()}", {{ {v.camel(1, 1)}: {v.camel(1, 2)} }});'
    if r < 0.65:
        return f"{ind}{v.camel(1, 2)}.push({{ {v.camel(1, 1)}: {v.camel(1, 2)}.{v.camel(1, 1)} }});"
    if r < 0.8:
        return f"{ind}{v.camel(1, 2)} = {v.camel(1, 2)}.filter(({v.camel(1, 1)}) => {v.camel(1, 1)}.{v.camel(1, 1)} > {v.number()});"
    return f"{ind}this.{v.camel(1, 2)}.set({v.camel(1, 1)}.id, {v.camel(1, 2)} ?? {v.number()});"


def _ts_block(v: Vocab, ind: str) -> list[str]:
    inner = ind + "  "
    r = v.rng.random()
    if r < 0.4:
        head = f"{ind}if (!{v.camel(1, 2)} || {v.camel(1, 1)}.length > {v.number()}) {{"
        body = [f"{inner}throw new Error(`{v.sentence(3, 8).lower()}: ${{{v.camel(1, 1)}}}`);"]
    else:
        head = f"{ind}for (const {v.camel(1, 1)} of {v.camel(1, 2)}) {{"
        body = [_ts_simple(v, inner) for _ in range(v.rng.randint(1, 3))]
    return [head, *body, f"{ind}}}"]


def _ts_unit(v: Vocab) -> list[str]:
    if v.rng.random() < 0.25:
        fields = [f"  {v.camel(1, 2)}: {v.rng.choice(TS_TYPES)};" for _ in range(v.rng.randint(2, 6))]
        return [f"export interface {v.pascal()} {{", *fields, "}", ""]
    params = ", ".join(f"{v.camel(1, 2)}: {v.rng.choice(TS_TYPES)}" for _ in range(v.rng.randint(1, 3)))
    lines = [f"/** {v.sentence()}. */",
             f"export async function {v.verb_camel()}({params}): Promise<{v.pascal(1, 2)}> {{"]
    for _ in range(v.rng.randint(2, 6)):
        lines.extend(_ts_block(v, "  ") if v.rng.random() < 0.35 else [_ts_simple(v, "  ")])
    return [*lines, f"  return {v.camel(1, 2)};", "}", ""]


# -- Go -----------------------------------------------------------------------------------------
def _go_header(v: Vocab) -> list[str]:
    return [f"// Package {v.words(1, 1)[0]} {v.sentence().lower()}.", f"package {v.words(1, 1)[0]}", "",
            "import (", '\t"context"', '\t"fmt"', '\t"time"', ")", ""]


def _go_simple(v: Vocab, ind: str) -> str:
    r = v.rng.random()
    if r < 0.35:
        return f"{ind}{v.camel(1, 2)}, err := {v.rng.choice('srh')}.{v.camel(1, 1)}.{v.pascal()}(ctx, {v.camel(1, 2)})"
    if r < 0.5:
        return f'{ind}log.Printf("{v.sentence(3, 6).lower()}: %v", {v.camel(1, 2)})'
    if r < 0.7:
        return f"{ind}{v.camel(1, 2)} = append({v.camel(1, 2)}, {v.camel(1, 1)}.{v.pascal(1, 2)})"
    if r < 0.85:
        return f"{ind}{v.camel(1, 2)} := time.Duration({v.number()}) * time.Second"
    return f'{ind}{v.camel(1, 2)}["{v.snake(1, 1)}"] = {v.camel(1, 2)}.{v.pascal(1, 1)}'


def _go_block(v: Vocab, ind: str) -> list[str]:
    inner = ind + "\t"
    if v.rng.random() < 0.55:
        return [f"{ind}if err != nil {{",
                f'{inner}return nil, fmt.Errorf("{v.verb_snake().replace("_", " ")}: %w", err)', f"{ind}}}"]
    head = f"{ind}for _, {v.camel(1, 1)} := range {v.camel(1, 2)} {{"
    return [head, *[_go_simple(v, inner) for _ in range(v.rng.randint(1, 3))], f"{ind}}}"]


def _go_unit(v: Vocab) -> list[str]:
    if v.rng.random() < 0.2:
        fields = [f"\t{v.pascal(1, 2)} {v.rng.choice(GO_TYPES)}" for _ in range(v.rng.randint(2, 6))]
        return [f"// {v.pascal()} {v.sentence().lower()}.", f"type {v.pascal()} struct {{", *fields, "}", ""]
    recv = v.rng.choice("srh")
    lines = [f"// {v.pascal()} {v.sentence().lower()}.",
             f"func ({recv} *{v.pascal(1, 2)}) {v.pascal()}(ctx context.Context, {v.camel(1, 2)} "
             f"{v.rng.choice(GO_TYPES)}) (*{v.pascal(1, 2)}, error) {{"]
    for _ in range(v.rng.randint(2, 6)):
        lines.extend(_go_block(v, "\t") if v.rng.random() < 0.4 else [_go_simple(v, "\t")])
    return [*lines, f"\treturn {v.camel(1, 2)}, nil", "}", ""]


# -- SQL migrations -----------------------------------------------------------------------------
def _sql_header(v: Vocab) -> list[str]:
    return [f"-- {v.sentence()}.", "BEGIN;", ""]


def _sql_simple(v: Vocab, ind: str) -> str:
    r = v.rng.random()
    if r < 0.4:
        return f"{ind}ALTER TABLE {v.snake(1, 2)} ADD COLUMN {v.snake(1, 2)} {v.rng.choice(SQL_TYPES)};"
    if r < 0.6:
        return f"{ind}CREATE INDEX {v.snake(2, 3)}_idx ON {v.snake(1, 2)} ({v.snake(1, 2)});"
    if r < 0.8:
        return (f"{ind}UPDATE {v.snake(1, 2)} SET {v.snake(1, 1)} = {v.number()} "
                f"WHERE {v.snake(1, 2)} IS NULL;")
    return f"{ind}ALTER TABLE {v.snake(1, 2)} DROP COLUMN {v.snake(1, 2)};"


def _sql_block(v: Vocab, ind: str) -> list[str]:
    cols = [f"{ind}    {v.snake(1, 2)} {v.rng.choice(SQL_TYPES)} NOT NULL," for _ in range(v.rng.randint(2, 7))]
    return [f"{ind}CREATE TABLE {v.snake(1, 2)} (", f"{ind}    id bigserial PRIMARY KEY,", *cols,
            f"{ind}    created_at timestamptz NOT NULL DEFAULT now()", f"{ind});"]


def _sql_unit(v: Vocab) -> list[str]:
    if v.rng.random() < 0.4:
        return [*_sql_block(v, ""), ""]
    return [_sql_simple(v, "") for _ in range(v.rng.randint(1, 4))] + [""]


# -- Markdown -----------------------------------------------------------------------------------
def _md_header(v: Vocab) -> list[str]:
    return [f"# {v.sentence(2, 5)}", "", f"{v.sentence(8, 16)}.", ""]


def _md_simple(v: Vocab, ind: str) -> str:
    r = v.rng.random()
    if r < 0.5:
        return f"{v.sentence(8, 18)}."
    if r < 0.85:
        return f"- {v.sentence(4, 10)}: `{v.verb_snake()}`."
    return f"| `{v.snake(1, 2)}` | {v.rng.choice(PY_TYPES)} | {v.sentence(3, 8)} |"


def _md_block(v: Vocab, ind: str) -> list[str]:
    return ["```python", *[_py_simple(v, "") for _ in range(v.rng.randint(1, 3))], "```"]


def _md_unit(v: Vocab) -> list[str]:
    lines = [f"## {v.sentence(2, 5)}", ""]
    for _ in range(v.rng.randint(2, 6)):
        lines.append(_md_simple(v, ""))
    if v.rng.random() < 0.3:
        lines.extend(["", *_md_block(v, "")])
    return [*lines, ""]


# -- YAML ---------------------------------------------------------------------------------------
def _yaml_header(v: Vocab) -> list[str]:
    return [f"# {v.sentence()}.", f"name: {v.snake(1, 2).replace('_', '-')}", "version: 2"]


def _yaml_value(v: Vocab) -> str:
    r = v.rng.random()
    if r < 0.3:
        return v.number()
    if r < 0.5:
        return v.rng.choice(("true", "false"))
    if r < 0.75:
        return f'"{v.snake(1, 2).replace("_", "-")}"'
    return f"{v.snake(1, 1)}-{v.number()}"


def _yaml_simple(v: Vocab, ind: str) -> str:
    return f"{ind}{v.snake(1, 2)}: {_yaml_value(v)}"


def _yaml_block(v: Vocab, ind: str) -> list[str]:
    inner = ind + "  "
    if v.rng.random() < 0.5:
        return [f"{ind}{v.snake(1, 2)}:", *[f"{inner}- {v.snake(1, 2).replace('_', '-')}"
                                           for _ in range(v.rng.randint(1, 4))]]
    return [f"{ind}{v.snake(1, 2)}:", *[_yaml_simple(v, inner) for _ in range(v.rng.randint(1, 4))]]


def _yaml_unit(v: Vocab) -> list[str]:
    lines = [f"{v.snake(1, 2)}:"]
    for _ in range(v.rng.randint(2, 6)):
        lines.extend(_yaml_block(v, "  ") if v.rng.random() < 0.4 else [_yaml_simple(v, "  ")])
    return lines


LANGS: dict[str, Lang] = {
    "py": Lang("    ", None, _py_header, _py_unit, _py_simple, _py_block),
    "ts": Lang("  ", "}", _ts_header, _ts_unit, _ts_simple, _ts_block),
    "go": Lang("\t", "}", _go_header, _go_unit, _go_simple, _go_block),
    "sql": Lang("", None, _sql_header, _sql_unit, _sql_simple, _sql_block),
    "md": Lang("", None, _md_header, _md_unit, _md_simple, _md_block),
    "yaml": Lang("  ", None, _yaml_header, _yaml_unit, _yaml_simple, _yaml_block),
}


def file_lines(v: Vocab, kind: str, count: int) -> list[str]:
    """``count`` lines of a plausible ``kind`` file: a header, then whole units (cut at the end)."""
    lang = LANGS[kind]
    lines = list(lang.header(v))
    while len(lines) < count:
        lines.extend(lang.unit(v))
    return lines[:count]


def fresh_lines(v: Vocab, kind: str, count: int, indent: str) -> list[str]:
    """Exactly ``count`` new lines to insert at ``indent``: blocks while they fit, else statements."""
    lang = LANGS[kind]
    out: list[str] = []
    while len(out) < count:
        block = lang.block(v, indent)
        out.extend(block if len(block) <= count - len(out) else [lang.simple(v, indent)])
    return out


def _indent_of(line: str) -> str:
    return line[: len(line) - len(line.lstrip())]


def _replaceable(line: str) -> bool:
    s = line.strip()
    return bool(s) and s not in ("}", ")", ");", "```", "BEGIN;", "COMMIT;") and not s.endswith(("{", ":", "("))


def modify(v: Vocab, kind: str, lines: list[str], quota: int) -> list[str]:
    """Edit ``lines`` so that ``git diff`` counts about ``quota`` changed lines.

    Edits are spread through the file: replaced statements (one removed + one added line
    each), inserted blocks (added lines) and removed statements (removed lines).
    """
    lang = LANGS[kind]
    candidates = [i for i, ln in enumerate(lines) if _replaceable(ln)]
    ops: list[tuple[str, int]] = []
    left = quota
    while left > 0:
        r = v.rng.random()
        if left >= 2 and r < 0.5:
            k = v.rng.randint(1, min(4, left // 2))
            ops.append(("replace", k))
            left -= 2 * k
        elif r < 0.85 or not candidates:
            k = v.rng.randint(1, min(12, left))
            ops.append(("insert", k))
            left -= k
        else:
            k = v.rng.randint(1, min(3, left))
            ops.append(("delete", k))
            left -= k
    sites = sorted(v.rng.sample(candidates, min(len(ops), len(candidates)))) if candidates else []
    sites += [len(lines)] * (len(ops) - len(sites))
    edits = dict(zip(sites, ops, strict=False))
    out: list[str] = []
    done = 0
    i = 0
    while i < len(lines):
        op = edits.get(i)
        if op is None:
            out.append(lines[i])
            i += 1
            continue
        kind_of_op, k = op
        if kind_of_op == "insert":
            out.append(lines[i])
            out.extend(fresh_lines(v, kind, k, _indent_of(lines[i])))
            done += k
            i += 1
            continue
        run = 0
        while run < k and i + run < len(lines) and _replaceable(lines[i + run]):
            run += 1
        if kind_of_op == "replace":
            out.extend(lang.simple(v, _indent_of(lines[i + j])) for j in range(run))
            done += run
        done += run
        i += run
        if run == 0:
            out.append(lines[i])
            i += 1
    if quota > done:  # ops that collided or ran into a block boundary: append the rest at the end
        out.extend(fresh_lines(v, kind, quota - done, lang.indent if lang.block_close is None else ""))
    return out


# -- paths --------------------------------------------------------------------------------------
def _path_for(v: Vocab, kind: str, index: int) -> str:
    r = v.rng.random()
    if kind == "py":
        if r < 0.15:
            return f"tests/{v.snake(1, 1)}/test_{v.snake(1, 2)}.py"
        return f"services/{v.snake(1, 1)}/{v.snake(1, 1)}/{v.snake(1, 2)}.py"
    if kind == "ts":
        suffix = ".test.ts" if r < 0.15 else ".ts"
        return f"web/src/{v.camel(1, 1)}/{v.camel(1, 2)}{suffix}"
    if kind == "go":
        suffix = "_test.go" if r < 0.15 else ".go"
        return f"internal/{v.snake(1, 1)}/{v.snake(1, 2)}{suffix}"
    if kind == "sql":
        return f"db/migrations/2026{index:06d}_{v.verb_snake()}.sql"
    if kind == "md":
        return f"docs/{v.snake(1, 1).replace('_', '-')}/{v.snake(1, 3).replace('_', '-')}.md"
    folder = v.rng.choice(("deploy/staging", "deploy/production", "config", "charts/app/templates"))
    return f"{folder}/{v.snake(1, 2).replace('_', '-')}.{'yml' if r < 0.3 else 'yaml'}"


def _weighted(v: Vocab, weights: dict[str, int]) -> str:
    return v.rng.choices(list(weights), weights=list(weights.values()))[0]


def split_quota(v: Vocab, total: int, parts: int) -> list[int]:
    """``parts`` positive integers summing to ``total``, long-tailed (log-normal weights)."""
    if total < parts:
        raise ValueError(f"{total} changed lines cannot touch {parts} files")
    weights = [v.rng.lognormvariate(0, 1.1) for _ in range(parts)]
    scale = (total - parts) / sum(weights)
    raw = [w * scale for w in weights]
    quotas = [1 + int(r) for r in raw]
    by_fraction = sorted(range(parts), key=lambda i: raw[i] - int(raw[i]), reverse=True)
    for i in by_fraction[: total - sum(quotas)]:
        quotas[i] += 1
    return quotas


# -- the repository -----------------------------------------------------------------------------
@dataclass
class Change:
    """The synthetic change and what ``git diff`` says about it."""

    repo: Path
    base: str
    head: str
    files: int = 0
    added_lines: int = 0
    removed_lines: int = 0
    diff_chars: int = 0
    by_kind: Counter = field(default_factory=Counter)
    by_change: Counter = field(default_factory=Counter)

    @property
    def changed_lines(self) -> int:
        return self.added_lines + self.removed_lines


AGENTS_MD = """# Conventions for this repository

- Services are Python 3.11; web is TypeScript (strict); internal services are Go 1.22.
- Every public function has a docstring or doc comment that says what it returns.
- Database changes go through `db/migrations/` and must be reversible and online-safe.
- Money is `Decimal` in Python and `numeric(12,2)` in SQL, never floats.
- Log with the module logger; never log tokens, passwords or personal data.
- Errors are wrapped with context (`fmt.Errorf("...: %w", err)` in Go).
- Configuration lives in `config/` and `deploy/`; secrets come from the vault, never from YAML.
"""


def build_change(repo: Path, files: int = 1000, lines: int = 50_000, *, seed: int = 1,
                 unchanged: int = 200, repo_config: str | None = None) -> Change:
    """Create the repository at ``repo``: branch ``main`` (base) and ``change`` (head).

    ``files`` files change by ``lines`` changed lines in total (added + removed, as
    ``git diff --numstat`` counts them; the real figures are measured and returned).
    ``repo_config`` is the base branch's ``.reviewer.yml`` (unchanged by the change).
    """
    v = Vocab(random.Random(seed))
    repo.mkdir(parents=True, exist_ok=True)
    _git(repo, "init", "-q", "-b", "main")
    plan = _plan_files(v, files, lines)
    base: dict[str, list[str]] = {"AGENTS.md": AGENTS_MD.splitlines()}
    if repo_config is not None:
        base[".reviewer.yml"] = repo_config.splitlines()
    used = set(base)
    for i in range(unchanged):
        kind = _weighted(v, KIND_WEIGHTS)
        path = _unique(v, kind, i, used)
        base[path] = file_lines(v, kind, v.rng.randint(20, 200))
    head = dict(base)
    for i, (kind, change, quota) in enumerate(plan):
        path = _unique(v, kind, unchanged + i, used)
        if change == "added":
            head[path] = file_lines(v, kind, quota)
        elif change == "deleted":
            base[path] = file_lines(v, kind, quota)
        elif change == "modified":
            base[path] = file_lines(v, kind, max(12, int(quota * v.rng.uniform(1.2, 4.0))))
            head[path] = modify(v, kind, base[path], quota)
        else:  # renamed, lightly edited so git still sees the rename
            base[path] = file_lines(v, kind, max(30, quota * 5))
            new_path = _unique(v, kind, unchanged + files + i, used)
            head[new_path] = modify(v, kind, base[path], quota)
    _write_tree(repo, base)
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "Base: the service as it is on main")
    _git(repo, "checkout", "-q", "-b", "change")
    for path in set(base) - set(head):
        (repo / path).unlink()
    _write_tree(repo, {p: t for p, t in head.items() if base.get(p) is not t})
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "Rework billing, orders and the web client\n\n"
         "Moves payouts to the ledger service, adds migrations for the new invoice tables,\n"
         "updates the deployment config and the docs that describe the new flow.")
    return measure(repo, "main", "change", plan)


def _plan_files(v: Vocab, files: int, lines: int) -> list[tuple[str, str, int]]:
    plan = []
    for quota in split_quota(v, lines, files):
        kind = _weighted(v, KIND_WEIGHTS)
        change = "added" if kind == "sql" and v.rng.random() < 0.8 else _weighted(v, CHANGE_WEIGHTS)
        if change == "renamed" and quota > 60:
            change = "modified"  # a big edit of a renamed file would no longer look like a rename
        plan.append((kind, change, quota))
    return plan


def _unique(v: Vocab, kind: str, index: int, used: set[str]) -> str:
    path = _path_for(v, kind, index)
    while path in used:
        stem, dot, ext = path.rpartition(".")
        path = f"{stem}_{index}{dot}{ext}"
    used.add(path)
    return path


def _write_tree(repo: Path, files: dict[str, list[str]]) -> None:
    for path, lines in files.items():
        target = repo / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text("\n".join(lines) + "\n", encoding="utf-8")


def measure(repo: Path, base: str, head: str, plan: list[tuple[str, str, int]] | None = None) -> Change:
    """What ``git diff base...head`` (renames on) says: files, added and removed lines, size."""
    change = Change(repo=repo, base=base, head=head)
    numstat = _git(repo, "diff", "--numstat", "-M", f"{base}...{head}")
    for row in numstat.splitlines():
        added, removed, _path = row.split("\t", 2)
        change.files += 1
        change.added_lines += int(added) if added != "-" else 0
        change.removed_lines += int(removed) if removed != "-" else 0
    change.diff_chars = len(_git(repo, "diff", "-M", "--full-index", f"{base}...{head}"))
    for kind, what, _quota in plan or []:
        change.by_kind[kind] += 1
        change.by_change[what] += 1
    return change


def _git(repo: Path, *args: str) -> str:
    env = {
        **os.environ, "GIT_CONFIG_NOSYSTEM": "1", "GIT_AUTHOR_NAME": "Bench Author",
        "GIT_AUTHOR_EMAIL": "bench@example.test", "GIT_COMMITTER_NAME": "Bench Author",
        "GIT_COMMITTER_EMAIL": "bench@example.test", "GIT_AUTHOR_DATE": "2026-01-01T12:00:00Z",
        "GIT_COMMITTER_DATE": "2026-01-01T12:00:00Z",
    }
    done = subprocess.run(["git", "-c", "core.quotePath=true", "-c", "diff.renameLimit=10000", *args],
                          cwd=repo, env=env, check=True, capture_output=True, text=True)
    return done.stdout
