"""reviewer.llm through the real litellm, over loopback HTTP, against the scripted model server."""

from __future__ import annotations

import asyncio
import time

import pytest
from pydantic import BaseModel, Field

from reviewer import llm
from reviewer.errors import LLMError
from reviewer.llm import CallUsage, LLMCallError, complete_json, context_window, count_tokens
from reviewer.llm_schema import InvalidOutput, parse_reply, strict_json_schema
from reviewer.models import Severity
from reviewer.settings import ModelCall
from tests.support.scripted_model import (
    drop_connection, error_reply, json_reply, slow_reply, text_reply,
)


class Item(BaseModel):
    path: str = Field(max_length=200)
    line: int | None = None
    severity: Severity
    title: str = Field(max_length=80)


class Findings(BaseModel):
    findings: list[Item] = Field(default_factory=list, max_length=10)


GOOD = {"findings": [{"path": "app.py", "line": 3, "severity": "critical", "title": "SQL injection"}]}
MESSAGES = [{"role": "system", "content": "You review code."}, {"role": "user", "content": "Review this diff."}]


@pytest.fixture(autouse=True)
def _fast_backoff(monkeypatch):
    monkeypatch.setattr(llm, "RETRY_BASE_SECONDS", 0.01)


def make_call(server, **kw) -> ModelCall:
    base = {"alias": "default", "model": "openai/primary", "api_base": server.base_url,
            "timeout_s": 5.0, "max_retries": 2}
    return ModelCall(**{**base, **kw})


def run(call: ModelCall, messages=MESSAGES, schema=Findings):
    return asyncio.run(complete_json(call, messages, schema, name="findings"))


def test_good_json_is_validated_and_accounted(scripted_model):
    scripted_model.script(json_reply(GOOD, prompt_tokens=120, completion_tokens=30))
    result, usage = run(make_call(scripted_model))
    assert result == Findings.model_validate(GOOD)
    assert (usage.model, usage.prompt_tokens, usage.completion_tokens, usage.calls) == ("openai/primary", 120, 30, 1)
    assert usage.seconds > 0
    assert usage.cost_usd == 0.0  # an unknown model has no price


def test_request_carries_strict_schema_and_call_settings(scripted_model):
    call = make_call(scripted_model, max_output_tokens=321, temperature=0.2, seed=11)
    run(call)
    body = scripted_model.requests[0]
    assert body["model"] == "primary"
    assert body["messages"] == MESSAGES
    assert body["response_format"] == {
        "type": "json_schema",
        "json_schema": {"name": "findings", "strict": True, "schema": strict_json_schema(Findings)},
    }
    assert (body["max_tokens"], body["temperature"], body["seed"]) == (321, 0.2, 11)
    assert body.get("stream") in (None, False)
    assert scripted_model.request_headers[0]["authorization"] == f"Bearer {llm.DUMMY_API_KEY}"


def test_fenced_json_is_accepted(scripted_model):
    scripted_model.script(text_reply("Here you go:\n```json\n" + Findings.model_validate(GOOD).model_dump_json() + "\n```"))
    result, usage = run(make_call(scripted_model))
    assert result.findings[0].title == "SQL injection"
    assert usage.calls == 1


def test_malformed_json_is_repaired_once(scripted_model):
    scripted_model.script(text_reply('{"findings": [{"path": "app.py",'), json_reply(GOOD))
    result, usage = run(make_call(scripted_model))
    assert result == Findings.model_validate(GOOD)
    assert usage.calls == 2
    repair = scripted_model.requests[1]["messages"]
    assert repair[:2] == MESSAGES
    assert repair[2] == {"role": "assistant", "content": '{"findings": [{"path": "app.py",'}
    assert repair[3]["role"] == "user" and "not valid JSON" in repair[3]["content"]


def test_schema_mismatch_twice_raises_llm_error(scripted_model):
    scripted_model.script(json_reply({"findings": [{"path": "a.py"}]}), text_reply("no JSON at all"))
    with pytest.raises(LLMError, match="invalid output after one repair attempt: not valid JSON") as info:
        run(make_call(scripted_model))
    assert scripted_model.calls == 2
    assert "findings.0.severity" in scripted_model.requests[1]["messages"][-1]["content"]
    assert isinstance(info.value, LLMCallError) and info.value.usage.calls == 2


def test_cut_off_reply_counts_as_invalid(scripted_model):
    scripted_model.script(json_reply(GOOD, finish_reason="length"), json_reply({"findings": []}))
    result, usage = run(make_call(scripted_model))
    assert result.findings == [] and usage.calls == 2
    assert "output token limit" in scripted_model.requests[1]["messages"][-1]["content"]


def test_429_honours_retry_after(scripted_model):
    scripted_model.script(error_reply(429, headers={"Retry-After": "1"}), json_reply(GOOD))
    started = time.monotonic()
    result, usage = run(make_call(scripted_model))
    assert time.monotonic() - started >= 0.95
    assert result.findings and usage.calls == 2 and scripted_model.calls == 2


@pytest.mark.parametrize("failure", [error_reply(500), error_reply(503), drop_connection()],
                         ids=["500", "503", "dropped"])
def test_transient_failure_is_retried(scripted_model, failure):
    scripted_model.script(failure, json_reply(GOOD))
    result, usage = run(make_call(scripted_model))
    assert result.findings and usage.calls == 2


def test_400_is_not_retried(scripted_model):
    scripted_model.script(error_reply(400), json_reply(GOOD))
    with pytest.raises(LLMError, match="400"):
        run(make_call(scripted_model))
    assert scripted_model.calls == 1


def test_slow_reply_times_out_retries_then_fails(scripted_model):
    scripted_model.default(slow_reply(3, json_reply(GOOD)))
    started = time.monotonic()
    with pytest.raises(LLMError, match="(?i)timeout|timed out") as info:
        run(make_call(scripted_model, timeout_s=0.3, max_retries=1))
    assert scripted_model.calls == 2
    assert time.monotonic() - started < 2.5
    assert info.value.usage.calls == 2 and info.value.usage.seconds >= 0.6


def test_fallback_model_used_after_primary_keeps_failing(scripted_model):
    scripted_model.route_model("primary", then=error_reply(500))
    scripted_model.route_model("backup", json_reply(GOOD, prompt_tokens=50, completion_tokens=5))
    result, usage = run(make_call(scripted_model, fallbacks=["openai/backup"], max_retries=1))
    assert result == Findings.model_validate(GOOD)
    assert [r["model"] for r in scripted_model.requests] == ["primary", "primary", "backup"]
    assert usage.model == "openai/backup" and usage.calls == 3
    assert (usage.prompt_tokens, usage.completion_tokens) == (50, 5)


def test_all_models_failing_names_each(scripted_model):
    scripted_model.default(error_reply(401))
    with pytest.raises(LLMError) as info:
        run(make_call(scripted_model, fallbacks=["openai/backup"]))
    assert "openai/primary: " in str(info.value) and "openai/backup: " in str(info.value)
    assert scripted_model.calls == 2  # 401 is not retried


def test_api_key_never_in_error(scripted_model):
    secret = "sk-test-0123456789abcdef"
    scripted_model.default(error_reply(401, {"error": {"message": f"bad key {secret}", "type": "auth"}}))
    with pytest.raises(LLMError) as info:
        run(make_call(scripted_model, api_key=secret))
    assert secret not in str(info.value)
    assert scripted_model.request_headers[0]["authorization"] == f"Bearer {secret}"


def test_usage_sums_tokens_cost_and_time_over_attempts(scripted_model):
    scripted_model.script(
        error_reply(500),
        slow_reply(0.2, text_reply("oops", prompt_tokens=1000, completion_tokens=100)),
        json_reply(GOOD, prompt_tokens=1000, completion_tokens=100),
    )
    result, usage = run(make_call(scripted_model, model="openai/gpt-4o-mini"))
    price = llm._litellm().model_cost["gpt-4o-mini"]
    expected = 2 * (1000 * price["input_cost_per_token"] + 100 * price["output_cost_per_token"])
    assert result.findings
    assert (usage.prompt_tokens, usage.completion_tokens, usage.calls) == (2000, 200, 3)
    assert usage.cost_usd == pytest.approx(expected)
    assert usage.seconds >= 0.2


def test_default_prompt_tokens_follow_message_size(scripted_model):
    _, small = run(make_call(scripted_model), messages=[{"role": "user", "content": "x" * 400}])
    _, large = run(make_call(scripted_model), messages=[{"role": "user", "content": "x" * 4000}])
    assert (small.prompt_tokens, large.prompt_tokens) == (100, 1000)


def test_concurrent_calls_get_their_routed_replies(scripted_model):
    names = ["security", "quality", "docs", "performance"]
    for name in names:
        title = f"from {name}"
        scripted_model.route(f"agent={name}", slow_reply(0.3, json_reply(
            {"findings": [{"path": "a.py", "line": 1, "severity": "note", "title": title}]})))
    call = make_call(scripted_model)

    async def main():
        return await asyncio.gather(*[
            complete_json(call, [{"role": "user", "content": f"agent={n}"}], Findings, name="findings")
            for n in names
        ])

    started = time.monotonic()
    results = asyncio.run(main())
    assert time.monotonic() - started < 1.0  # concurrent, not 4 x 0.3 s in a row
    assert [r.findings[0].title for r, _ in results] == [f"from {n}" for n in names]


def test_call_usage_adds():
    a = CallUsage("m1", 10, 2, 0.5, 1.0, 1)
    b = CallUsage("m2", 5, 1, 0.25, 2.0, 2)
    assert a + b == CallUsage("m1, m2", 15, 3, 0.75, 3.0, 3)
    assert (a + a).model == "m1"
    assert CallUsage() + a == a


class Inner(BaseModel):
    name: str = Field(default="x", max_length=20, title="Name")


class Outer(BaseModel):
    inner: Inner
    items: list[Inner] = Field(default_factory=list, max_length=3)
    severity: Severity = Severity.NOTE
    note: str | None = None


def test_strict_schema_inlines_refs_and_requires_everything():
    schema = strict_json_schema(Outer)
    assert "$defs" not in schema and "$ref" not in str(schema)
    assert schema["additionalProperties"] is False
    assert schema["required"] == ["inner", "items", "severity", "note"]
    inner = schema["properties"]["inner"]
    assert inner["additionalProperties"] is False and inner["required"] == ["name"]
    assert inner["properties"]["name"] == {"type": "string", "maxLength": 20}
    assert schema["properties"]["items"]["maxItems"] == 3
    assert schema["properties"]["severity"]["enum"] == [s.value for s in Severity]
    assert "default" not in str(schema) and "title" not in str(schema)


def test_strict_schema_keeps_recursive_refs():
    class Node(BaseModel):
        value: int
        children: list[Node] = []

    schema = strict_json_schema(Node)
    assert schema["$defs"]["Node"]["additionalProperties"] is False
    assert schema["properties"]["children"]["items"] == {"$ref": "#/$defs/Node"}


def test_parse_reply_reasons():
    with pytest.raises(InvalidOutput, match="empty"):
        parse_reply("  ", Findings)
    with pytest.raises(InvalidOutput, match="line 1 column"):
        parse_reply("{nope", Findings)
    assert parse_reply("```\n{\"findings\": []}\n```", Findings).findings == []


def test_context_window_sources():
    assert context_window(ModelCall(alias="a", model="openai/whatever", context_window=4096)) == 4096
    assert context_window(ModelCall(alias="a", model="openai/gpt-4o-mini")) == 128_000
    assert context_window(ModelCall(alias="a", model="openai/unmapped-local-model")) == llm.DEFAULT_CONTEXT_WINDOW


def test_count_tokens_is_fast_on_a_large_diff():
    text = "\n".join(f"+    value_{i} = compute(rows[{i}], limit)  # step {i}" for i in range(50_000))
    count_tokens("openai/smollm2", "warm up the tokenizer")
    started = time.monotonic()
    tokens = count_tokens("openai/smollm2", text)
    assert time.monotonic() - started < 2.0
    assert len(text) // 8 < tokens < len(text)
    assert count_tokens("anthropic/claude-sonnet-4-5", "") == 0
    assert count_tokens("gpt-4o-mini", "hello world") == 2
    sample = text[:5000] + "<|endoftext|>"
    for model in ("openai/smollm2", "anthropic/claude-sonnet-4-5", "gpt-4o-mini"):
        # litellm encodes in fixed-size chunks, which adds a token or so per chunk boundary
        assert count_tokens(model, sample) == pytest.approx(
            llm._litellm().token_counter(model=model, text=sample), rel=0.01)


def test_count_tokens_falls_back_to_an_estimate(monkeypatch):
    class Broken:
        def encode_ordinary(self, text):
            raise RuntimeError("no tokenizer")

    monkeypatch.setattr(llm, "_encoding", lambda: Broken())
    assert count_tokens("any/model", "x" * 400) == 100
    monkeypatch.setattr(llm, "_encoding", lambda: None)  # tiktoken or litellm's tokenizer files missing
    assert count_tokens("any/model", "x" * 400) == 100


# The scripted server's own surface (tests/support/scripted_model.py), used by every model test.

def test_scripted_server_health_models_and_fall_through(scripted_model):
    import json
    import urllib.request

    root = scripted_model.base_url.removesuffix("/v1")
    assert json.load(urllib.request.urlopen(root + "/health")) == {"status": "ok"}
    assert json.load(urllib.request.urlopen(scripted_model.base_url + "/models"))["data"][0]["id"] == "scripted"
    scripted_model.route("special", json_reply({"findings": []}, prompt_tokens=7))
    scripted_model.script(json_reply({"findings": []}, prompt_tokens=8))
    scripted_model.default(json_reply({"findings": []}, prompt_tokens=9))
    call = make_call(scripted_model)
    special = [{"role": "user", "content": "a special request"}]
    used = [run(call, messages=special)[1].prompt_tokens for _ in range(3)]
    assert used == [7, 8, 9]  # route, then the global queue, then the default
    assert scripted_model.calls == 3


def test_cached_prompt_tokens_are_counted_when_the_provider_reports_them(scripted_model):
    scripted_model.script(json_reply(GOOD, prompt_tokens=1000, completion_tokens=20, cached_tokens=768))
    _, usage = asyncio.run(complete_json(make_call(scripted_model), MESSAGES, Findings, name="findings",
                                         shared_messages=1))
    assert (usage.prompt_tokens, usage.cached_tokens) == (1000, 768)
    [request] = scripted_model.requests
    assert request["messages"][0]["content"] == "You review code."  # an OpenAI-style server gets no mark


def test_only_providers_that_need_it_get_a_cache_mark_at_the_end_of_the_shared_prefix():
    messages = [{"role": "system", "content": "common"}, {"role": "user", "content": "the change"},
                {"role": "user", "content": "your part"}]
    marked = llm.cache_marked("anthropic/claude-sonnet-4-5", messages, 2)
    assert marked[0] == messages[0] and marked[2] == messages[2]
    assert marked[1] == {"role": "user", "content": [
        {"type": "text", "text": "the change", "cache_control": {"type": "ephemeral"}}]}
    assert messages[1]["content"] == "the change"  # the caller's messages are left as they were
    assert llm.cache_marked("openai/gpt-4o-mini", messages, 2) == messages
    assert llm.cache_marked("anthropic/claude-sonnet-4-5", messages, 0) == messages


def test_anthropic_style_cache_reads_count_as_cached_tokens():
    class Usage:
        prompt_tokens_details = None
        cache_read_input_tokens = 4096

    assert llm.cached_prompt_tokens(Usage()) == 4096
    assert llm.cached_prompt_tokens(None) == 0


def test_token_counts_and_context_sizes_need_no_litellm_import():
    import subprocess
    import sys

    code = ("import sys; from reviewer import llm; from reviewer.settings import ModelCall; "
            "n = llm.count_tokens('openai/gpt-4o-mini', 'def f(x):\\n    return x + 1\\n'); "
            "w = llm.context_window(ModelCall(alias='default', model='openai/gpt-4o-mini')); "
            "print(n, w, 'litellm' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                          env={"LITELLM_LOCAL_MODEL_COST_MAP": "True", "PATH": "/usr/bin:/bin"})
    count, window, imported = done.stdout.split()
    assert int(count) == len(llm._encoding().encode_ordinary("def f(x):\n    return x + 1\n")) > 0
    assert (int(window), imported) == (128000, "False")
