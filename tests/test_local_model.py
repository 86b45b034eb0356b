"""complete_json against the real local model: plumbing and validation, never review quality."""

from __future__ import annotations

import asyncio

import pytest
from pydantic import BaseModel, Field

from reviewer.llm import complete_json
from reviewer.models import Severity


class LocalFinding(BaseModel):
    path: str = Field(max_length=120)
    line: int = Field(ge=1, le=100_000)
    severity: Severity
    title: str = Field(max_length=100)


class LocalFindings(BaseModel):
    findings: list[LocalFinding] = Field(max_length=3)


DIFF = """\
--- a/app/db.py
+++ b/app/db.py
@@ -1,3 +1,4 @@
 def find_user(cursor, name):
-    cursor.execute("SELECT * FROM users WHERE name = %s", (name,))
+    cursor.execute("SELECT * FROM users WHERE name = '" + name + "'")
     return cursor.fetchone()
"""


@pytest.mark.local_model
def test_complete_json_with_the_real_local_model(local_model):
    messages = [
        {"role": "system", "content": "You are a code reviewer. Reply with JSON findings about the diff."},
        {"role": "user", "content": f"Review this diff and report problems.\n\n{DIFF}"},
    ]
    result, usage = asyncio.run(
        complete_json(local_model.call(max_output_tokens=400), messages, LocalFindings, name="findings")
    )
    assert isinstance(result, LocalFindings)
    assert LocalFindings.model_validate(result.model_dump()) == result
    assert usage.model == "openai/smollm2" and usage.calls >= 1
    assert usage.prompt_tokens > 50 and usage.completion_tokens > 0
