"""Replies in shapes a model commonly sends besides the schema's, and what they become."""

from __future__ import annotations

import json

import pytest

from reviewer.agent_output import AgentReport
from reviewer.llm_schema import InvalidOutput, parse_reply


def test_a_bare_list_of_findings_is_a_report():
    report = parse_reply(json.dumps([{"path": "a.py", "line": 3, "severity": "high", "title": "T"}]), AgentReport)
    assert [(f.path, f.line, f.severity.value) for f in report.findings] == [("a.py", 3, "important")]


def test_null_findings_is_no_findings_and_null_line_is_the_whole_file():
    assert parse_reply('{"findings": null}', AgentReport).findings == []
    report = parse_reply('{"findings": [{"path": "a.py", "line": null, "severity": "note", "title": "T"}]}',
                         AgentReport)
    assert report.findings[0].line == 0  # to_findings makes it a file-level finding


def test_the_schema_sent_to_the_model_is_unchanged_and_other_shapes_still_fail():
    schema = AgentReport.model_json_schema()
    assert schema["required"] == ["findings"]
    assert "null" not in json.dumps(schema["$defs"]["ModelFinding"]["properties"]["line"])
    with pytest.raises(InvalidOutput):
        parse_reply('{"result": {"findings": []}}', AgentReport)
