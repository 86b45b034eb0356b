"""The reports of a later run list each open finding once, even when a detector found it again."""

from __future__ import annotations

from reviewer.incremental import Increment
from reviewer.iteration import with_earlier_findings
from reviewer.models import (
    Category, Finding, PriorNote, PriorThread, ReviewResult, RiskAssessment, RiskTier, Severity,
)
from tests.test_iteration import MR


def test_a_finding_found_again_on_an_unchanged_file_is_listed_once():
    thread = PriorThread(discussion_id="d", fingerprint="fp1", severity=Severity.IMPORTANT,
                         category=Category.SECURITY, title="shell", path="src/b.py", line=2,
                         notes=[PriorNote(note_id=1, body="x", is_reviewer=True)])
    again = Finding(path="src/b.py", line=2, severity=Severity.IMPORTANT, category=Category.SECURITY,
                    rule_id="SEC-008", title="shell", agent="codex-detector", fingerprint="fp1")
    other = thread.model_copy(update={"discussion_id": "e", "fingerprint": "fp2", "title": "other"})
    mr = MR.model_copy(update={"prior_threads": [thread, other]})
    result = ReviewResult(risk=RiskAssessment(tier=RiskTier.FULL), findings=[again])
    out = with_earlier_findings(result, mr, Increment(unchanged={"src/b.py"}))
    assert [(f.fingerprint, f.agent) for f in out.findings] == [("fp1", "codex-detector"), ("fp2", "earlier review")]
