"""Logging: secrets never reach the log, counts do."""

import json

from reviewer import log


def test_secrets_are_redacted_and_token_counts_kept(capsys):
    log.configure(json_logs=True)
    log.get_logger("test").info(
        "call", api_key="sk-abcdefghijkl", private_token="glpat-123456789", prompt_tokens=1200,
        detail="used glpat-abcdefghijk for the call",
    )
    captured = capsys.readouterr()
    assert captured.out == "", "logs go to stderr, never stdout (stdout carries reports)"
    event = json.loads(captured.err.strip().splitlines()[-1])
    assert event["api_key"] == "[redacted]" and event["private_token"] == "[redacted]"
    assert event["prompt_tokens"] == 1200
    assert "glpat-abcdefghijk" not in event["detail"]
    assert event["component"] == "test"
