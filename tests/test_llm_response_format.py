"""A model server that refuses ``response_format`` still gets the review: asked again without it."""

from __future__ import annotations

import asyncio

import pytest

from reviewer.errors import LLMError
from reviewer.llm import complete_json
from tests.support.scripted_model import Reply, error_reply, json_reply, reply_from
from tests.test_llm import GOOD, MESSAGES, Findings, make_call


def _no_structured_output(request: dict) -> Reply:
    if request.get("response_format"):
        return error_reply(400, {"error": {"message": "Unrecognized request argument supplied: response_format",
                                           "type": "invalid_request_error"}})
    return json_reply(GOOD)


def test_a_400_naming_response_format_retries_without_it(scripted_model):
    scripted_model.default(reply_from(_no_structured_output))
    result, usage = asyncio.run(complete_json(make_call(scripted_model), MESSAGES, Findings, name="findings"))
    assert result == Findings.model_validate(GOOD)
    sent = [bool(r.get("response_format")) for r in scripted_model.requests]
    assert sent == [True, False] and usage.calls == 2


def test_other_400s_still_fail_the_model(scripted_model):
    scripted_model.script(error_reply(400, {"error": {"message": "context length exceeded"}}))
    scripted_model.default(json_reply(GOOD))
    with pytest.raises(LLMError, match="context length exceeded"):
        asyncio.run(complete_json(make_call(scripted_model), MESSAGES, Findings, name="findings"))
    assert len(scripted_model.requests) == 1
