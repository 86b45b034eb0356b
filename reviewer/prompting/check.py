"""Check a run's prompt overrides before any model call: every template compiles, and the ones a
call renders render.

``check_overrides`` compiles every override (used or not: a syntax error anywhere is found), then
renders every agent's messages and the verification prompt through the real functions
(``build_messages``, ``verify_messages``) with the run's settings, under ``StrictUndefined``:

- once exactly as planning measures a call (no files, no rules);
- once with every list the templates loop over filled: the change's files in the agent's scope
  (a sample file when it has none), one Codex rule, a focus, code context, an ``AGENTS.md``, a
  path instruction, an earlier finding; the verification prompt with one finding of each file.

A template that fails is a ``ConfigError`` naming the override's file and line
(``reviewer.prompting.templates.override_problem``). What it returns are warnings: overrides no
template renders (a misspelt name), an override folder without templates.
"""

from __future__ import annotations

from dataclasses import dataclass

from reviewer.models import Category, FileDiff, Finding, MergeRequest, PriorThread, Severity
from reviewer.prompting.overrides import close_match, packaged_names
from reviewer.prompting.templates import compile_overrides
from reviewer.settings import PathInstruction, Settings

__all__ = ["check_overrides", "unused_warnings"]

_SAMPLE_DIFF = """diff --git a/sample.py b/sample.py
index 0000000000000000000000000000000000000001..0000000000000000000000000000000000000002 100644
--- a/sample.py
+++ b/sample.py
@@ -1,2 +1,3 @@
 def sample():
-    return 1
+    value = 2
+    return value
"""
_SAMPLE_CONTEXT = "#### sample.py: sample (around the change)\n1 | def sample():"


@dataclass(frozen=True)
class _SampleRule:
    id: str = "CHECK-001"
    title: str = "A sample rule, to render the rules section"
    severity: str = "suggestion"
    category: None = None


class _SampleRules:
    """A rule source with one rule for every path."""

    def for_path(self, path: str) -> list[_SampleRule]:
        return [_SampleRule()]


def check_overrides(mr: MergeRequest, settings: Settings) -> list[str]:
    """Compile and render ``settings.prompt_overrides`` for ``mr`` (see the module docstring);
    return the warnings (nothing to check: none).

    Raises:
        ConfigError: an override does not compile or render, naming its file and line.
    """
    from reviewer.agents import apply_overrides, load_agents
    from reviewer.classify import classify
    from reviewer.diff.filters import mark_not_for_review
    from reviewer.prompting.messages import build_messages
    from reviewer.verify import verify_messages

    overrides = settings.prompt_overrides
    if not overrides:
        return []
    compile_overrides(overrides)
    files = mark_not_for_review(mr.files, settings.repo.ignore)
    risk = classify(files, settings.repo.risk)
    sample = _sample_file()
    full_settings = settings.model_copy(update={"repo": settings.repo.model_copy(update={
        "path_instructions": [*settings.repo.path_instructions,
                              PathInstruction(path="**", instructions="A sample path instruction.")]})})
    for spec in apply_overrides(load_agents(), settings.repo, settings.env.config_path):
        build_messages(spec, [], mr, None, settings, risk)  # as planning sizes a call
        shown = [f for f in files if f.reviewable and spec.in_scope(f.path)][:3] or [sample]
        build_messages(spec, shown, _filled(mr, shown[0]), _SampleRules(), full_settings, risk,
                       focus=frozenset({shown[0].path}), code_context=_SAMPLE_CONTEXT)
    checked = [f for f in files if f.reviewable][:3] or [sample]
    for file in checked:
        finding = Finding(path=file.path, line=_first_line(file), severity=Severity.IMPORTANT,
                          category=Category.QUALITY, rule_id="CHECK-001", title="A sample finding",
                          body="Its body.", suggestion="A fix.", agent="quality")
        verify_messages(file.path, [finding], file, _SAMPLE_CONTEXT, settings)
        verify_messages(file.path, [finding.model_copy(update={"line": None, "rule_id": None, "suggestion": None})],
                        None, "", settings)
    return unused_warnings(settings)


def unused_warnings(settings: Settings) -> list[str]:
    """One warning per override nothing renders: its name is no packaged template and no other
    override includes it (most likely a typo in the file name)."""
    packaged = packaged_names()
    out = []
    for template in settings.prompt_overrides.unused(packaged):
        near = close_match(template.name, packaged)
        hint = f"did you mean {near}?" if near else f"the packaged templates are {', '.join(packaged)}"
        out.append(f"prompt override {template.origin} replaces no packaged template and no override "
                   f"includes it, so it is not used ({hint})")
    return out


def _filled(mr: MergeRequest, file: FileDiff) -> MergeRequest:
    """``mr`` with an ``AGENTS.md``, a description and an open earlier finding on ``file``, so the
    templates' loops over them run."""
    thread = PriorThread(discussion_id="check", fingerprint="check", severity=Severity.SUGGESTION,
                         category=Category.QUALITY, rule_id="CHECK-001", title="A sample earlier finding",
                         anchor="return value", path=file.path, line=_first_line(file))
    return mr.model_copy(update={
        "title": mr.title or "A sample title",
        "description": mr.description or "A sample description.",
        "agents_md": {"": "Sample conventions.", **mr.agents_md},
        "prior_threads": [thread, *mr.prior_threads],
    })


def _first_line(file: FileDiff) -> int:
    return next((line.new_line for line in file.iter_lines() if line.new_line), 1)


def _sample_file() -> FileDiff:
    from reviewer.diff import parse_git_diff

    return parse_git_diff(_SAMPLE_DIFF)[0]
