"""The Engineering Codex: rules as data, their loader, checker and deterministic detectors."""

from reviewer.codex.check import check_rules
from reviewer.codex.detectors import DETECTOR_AGENT, run_detectors
from reviewer.codex.loader import RuleSet, load_rules
from reviewer.codex.schema import Rule

__all__ = ["DETECTOR_AGENT", "Rule", "RuleSet", "check_rules", "load_rules", "run_detectors"]
