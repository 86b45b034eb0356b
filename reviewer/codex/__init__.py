"""The Engineering Codex: rules as data, their loader, checker, deterministic detectors and analyzers."""

from reviewer.codex.check import check_rules
from reviewer.codex.detectors import DETECTOR_AGENT, run_detectors
from reviewer.codex.loader import RuleSet, load_rules
from reviewer.codex.schema import Rule
from reviewer.codex.stage import CodexRun, run_codex

__all__ = ["DETECTOR_AGENT", "CodexRun", "Rule", "RuleSet", "check_rules", "load_rules", "run_codex", "run_detectors"]
