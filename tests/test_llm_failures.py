"""Failed model calls are classified from the exception's class, status and message."""

from __future__ import annotations

import pytest

from reviewer.llm_failures import classify_failure


class InternalServerError(Exception):
    status_code = 500


class AuthenticationError(Exception):
    status_code = 401


class NotFoundError(Exception):
    status_code = 404


class BadRequestError(Exception):
    status_code = 400


class PermissionDeniedError(Exception):
    status_code = 403


class RateLimitError(Exception):
    status_code = 429


class APIConnectionError(Exception):
    status_code = None


class Timeout(Exception):
    pass


MISSING_OPENAI = InternalServerError(
    "litellm.InternalServerError: InternalServerError: OpenAIException - Missing credentials. Please pass an "
    "`api_key`, `workload_identity`, `admin_api_key`, or set the `OPENAI_API_KEY` or `OPENAI_ADMIN_KEY` "
    "environment variable.")


def test_a_missing_key_reported_as_500_is_permanent_and_names_the_variable():
    failure = classify_failure(MISSING_OPENAI, model="openai/gpt-4o-mini", key_vars=("OPENAI_API_KEY",))
    assert failure.permanent
    assert failure.reason == "no API key for openai/gpt-4o-mini: set OPENAI_API_KEY (or REVIEWER_API_KEY)"


def test_a_missing_anthropic_key_is_permanent():
    exc = AuthenticationError("litellm.AuthenticationError: Missing Anthropic API Key - A call is being made")
    failure = classify_failure(exc, model="anthropic/claude-sonnet-4-5", key_vars=("ANTHROPIC_API_KEY",))
    assert failure.permanent and "set ANTHROPIC_API_KEY" in failure.reason


def test_a_rejected_key_behind_a_gateway_names_the_gateway_key_variable():
    failure = classify_failure(AuthenticationError("Incorrect API key provided"), model="openai/x",
                               api_base="http://gw:4000/v1")
    assert failure.permanent
    assert failure.reason == "the gateway at http://gw:4000/v1 rejected the API key (401): check REVIEWER_API_KEY"


@pytest.mark.parametrize(("exc", "words"), [
    (NotFoundError("The model `gpt-9` does not exist"), "unknown model 'openai/gpt-9' (404)"),
    (BadRequestError("model_not_found: gpt-9"), "unknown model 'openai/gpt-9' (404)"),
    (PermissionDeniedError("not allowed"), "access to openai/gpt-9 was refused (403)"),
    (BadRequestError("LLM Provider NOT provided. Pass in the LLM provider"), "cannot tell the provider of"),
    (BadRequestError("messages: too long"), "the provider refused the request (400): messages: too long"),
])
def test_permanent_failures_are_not_retried_and_say_what_to_fix(exc, words):
    failure = classify_failure(exc, model="openai/gpt-9")
    assert failure.permanent and words in failure.reason


@pytest.mark.parametrize("exc", [
    RateLimitError("slow down"), InternalServerError("upstream overloaded"), APIConnectionError("refused"),
    Timeout("timed out"),
])
def test_transient_failures_are_retried(exc):
    assert not classify_failure(exc, model="openai/gpt-4o-mini").permanent


def test_a_connection_failure_names_where_it_tried():
    failure = classify_failure(InternalServerError("Connection error."), model="openai/x", api_base="http://gw/v1")
    assert not failure.permanent and failure.reason == "could not reach http://gw/v1: Connection error."


def test_a_long_message_is_cut_at_a_word_boundary():
    failure = classify_failure(BadRequestError("word " * 200), model="openai/x")
    assert len(failure.reason) <= 240 and failure.reason.endswith("word…")
