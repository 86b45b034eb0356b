"""The measured false-positive kinds, shaped like the real findings, no longer fire; the true
cases next to them still do, at a severity that matches their evidence.

Kinds: the surrounding code answers it (tree rules read the enclosing branch, the next
statements, the enclosing function); a constant, not data (literal-aware patterns); wrong place
(per-rule scopes); wrong weight (``evidence``).
"""

from __future__ import annotations

import pytest

from reviewer.codex.detectors import run_detectors
from reviewer.codex.loader import RuleSet, load_rules
from reviewer.codex.sources import file_sources
from reviewer.models import Finding, Severity
from tests.support.diff_builder import file_diff


@pytest.fixture(scope="module")
def shipped() -> RuleSet:
    return load_rules()


class HeadReader:
    """A ``SourceReader`` holding the head texts of a few files."""

    def __init__(self, texts: dict[str, str]) -> None:
        self.texts = texts

    def head_text(self, path: str) -> str | None:
        return self.texts.get(path)

    def base_text(self, path: str) -> str | None:
        return None

    def search(self, word: str) -> list[str]:
        return []


def found(rules: RuleSet, path: str, old: str, new: str, rule_id: str, *, with_head: bool = False) -> list[Finding]:
    """The findings of ``rule_id`` when ``path`` goes from ``old`` to ``new`` (with its head text if asked)."""
    file = file_diff(path, old, new)
    sources = file_sources([file], HeadReader({path: new})) if with_head else None
    return [f for f in run_detectors([file], rules, sources) if f.rule_id == rule_id]


# --------------------------------------------------------------------------- the surrounding code answers it
TLS_OLD = '''import ssl


def create_ssl_context(verify=True, cert=None):
    context = ssl.create_default_context()
    return context
'''
TLS_OPT_OUT = '''import ssl


def create_ssl_context(verify=True, cert=None):
    context = ssl.create_default_context()
    if verify is False:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    elif isinstance(verify, str):
        context.load_verify_locations(verify)
    return context
'''


def test_cert_none_inside_the_users_opt_out_branch_does_not_fire(shipped: RuleSet) -> None:
    """The library implementing ``verify=False`` for its users (urllib3/httpx shape)."""
    assert found(shipped, "src/httpclient/_ssl.py", TLS_OLD, TLS_OPT_OUT, "SEC-014") == []
    elsewhere = TLS_OPT_OUT.replace("if verify is False:", "if debug:")
    hits = found(shipped, "src/httpclient/_ssl.py", TLS_OLD, elsewhere, "SEC-014")
    assert [f.line for f in hits] == [7, 8]
    assert {f.severity for f in hits} == {Severity.SUGGESTION}  # a lead (evidence: hint), not proof


def test_verify_false_passed_to_a_request_is_proof(shipped: RuleSet) -> None:
    old = "import requests\n\n\ndef fetch(url):\n    return requests.get(url, timeout=5)\n"
    new = "import requests\n\n\ndef fetch(url):\n    return requests.get(url, timeout=5, verify=False)\n"
    hits = found(shipped, "svc/fetch.py", old, new, "SEC-014")
    assert [(f.line, f.severity) for f in hits] == [(5, Severity.IMPORTANT)]


OPEN_OLD = '''def open_file(path, mode="r"):
    raise NotImplementedError
'''
OPEN_NEW = '''def open_file(path, mode="r"):
    if "b" in mode:
        return open(path, mode)
    return open(path, mode, encoding="utf-8")
'''


def test_open_with_a_binary_mode_checked_by_the_branch_does_not_fire(shipped: RuleSet) -> None:
    assert found(shipped, "fsspec_like/local.py", OPEN_OLD, OPEN_NEW, "PY-005") == []
    text_mode = OPEN_NEW.replace('    if "b" in mode:\n        return open(path, mode)\n', "").replace(
        ', encoding="utf-8"', "")
    assert [f.line for f in found(shipped, "fsspec_like/local.py", OPEN_OLD, text_mode, "PY-005")] == [2]


RUN_OLD = '''import subprocess


def current_branch(cwd):
    return None
'''
RUN_NEW = '''import subprocess


def current_branch(cwd):
    result = subprocess.run(["git", "rev-parse", "--abbrev-ref", "HEAD"], cwd=cwd,
                            capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(result.stderr)
    return result.stdout.strip()
'''


def test_subprocess_result_whose_returncode_is_examined_does_not_fire(shipped: RuleSet) -> None:
    assert found(shipped, "tools/gitinfo.py", RUN_OLD, RUN_NEW, "PY-009") == []
    unchecked = RUN_NEW.replace("    if result.returncode != 0:\n        raise RuntimeError(result.stderr)\n", "")
    assert [f.line for f in found(shipped, "tools/gitinfo.py", RUN_OLD, unchecked, "PY-009")] == [5]


def test_the_check_far_below_the_hunk_is_seen_through_the_head_text(shipped: RuleSet) -> None:
    """The tree reads the whole function when the head text is known, not just the hunk."""
    filler = "".join(f"    step_{n}()\n" for n in range(12))
    old = ("import subprocess\n\n\ndef sync(cmd):\n    result = None\n"
           f"{filler}    if result.returncode:\n        fail()\n")
    new = old.replace("    result = None\n", "    result = subprocess.run(cmd)\n")
    assert found(shipped, "tools/sync.py", old, new, "PY-009", with_head=True) == []
    # from the diff alone the check is out of sight: the detector (a suggestion) still fires
    assert [f.line for f in found(shipped, "tools/sync.py", old, new, "PY-009")] == [5]


PANIC_OLD = '''package render

func Render(name string) (retErr error) {
	return render(name)
}
'''
PANIC_NEW = '''package render

import "fmt"

func Render(name string) (retErr error) {
	defer func() {
		if err := recover(); err != nil {
			retErr = fmt.Errorf("panic while rendering %s: %v", name, err)
		}
	}()
	return render(name)
}
'''


def test_errorf_of_a_recovered_panic_value_does_not_fire(shipped: RuleSet) -> None:
    """``recover()`` returns ``any``, not an ``error``: there is nothing to wrap with ``%w``."""
    assert found(shipped, "render/render.go", PANIC_OLD, PANIC_NEW, "ERR-008") == []
    wrapped = PANIC_NEW.replace("if err := recover(); err != nil", "if err := load(name); err != nil")
    assert [f.line for f in found(shipped, "render/render.go", PANIC_OLD, wrapped, "ERR-008")] == [8]


# --------------------------------------------------------------------------- a constant, not data
INNER_OLD = '''export function showResult(output, text) {
  output.textContent = text;
}
'''
INNER_NEW = '''export function showResult(output, text) {
  try {
    output.textContent = JSON.stringify(JSON.parse(text), null, 2);
  } catch (e) {
    output.innerHTML = "Invalid JSON";
  }
}
'''


def test_inner_html_set_to_a_constant_does_not_fire(shipped: RuleSet) -> None:
    assert found(shipped, "web/src/format.js", INNER_OLD, INNER_NEW, "SEC-012") == []
    data = INNER_NEW.replace('output.innerHTML = "Invalid JSON";', "output.innerHTML = `<pre>${text}</pre>`;")
    hits = found(shipped, "web/src/format.js", INNER_OLD, data, "SEC-012")
    assert [(f.line, f.severity) for f in hits] == [(5, Severity.SUGGESTION)]


def test_inner_html_in_a_vue_file_uses_the_literal_aware_pattern(shipped: RuleSet) -> None:
    """No grammar for .vue: the rule's pattern decides, and it knows a constant too."""
    constant = found(shipped, "web/App.vue", "<script>\n</script>\n",
                     '<script>\nel.innerHTML = "Invalid JSON";\n</script>\n', "SEC-012")
    data = found(shipped, "web/App.vue", "<script>\n</script>\n", "<script>\nel.innerHTML = userValue;\n</script>\n",
                 "SEC-012")
    assert constant == [] and [f.line for f in data] == [2]


# --------------------------------------------------------------------------- wrong place
def test_requests_without_timeout_in_the_librarys_own_tests_does_not_fire(shipped: RuleSet) -> None:
    old = "import requests\n\n\ndef test_get(httpbin):\n    pass\n"
    new = "import requests\n\n\ndef test_get(httpbin):\n    r = requests.get(httpbin('get'))\n    assert r.ok\n"
    assert found(shipped, "tests/test_requests.py", old, new, "PY-004") == []
    hits = found(shipped, "src/client.py", old, new, "PY-004")
    assert [(f.line, f.severity) for f in hits] == [(5, Severity.IMPORTANT)]  # evidence: proof


CI_OLD = '''test:
  image: python:3.12
  script:
    - pytest
'''
CI_NEW = '''test:
  image: python:3.12
  services:
    - name: postgres:16.4
      alias: db
  variables:
    POSTGRES_PASSWORD: postgres
    DATABASE_URL: "postgres://postgres:postgres@localhost:5432/app_test"
  script:
    - pytest
'''


def test_database_password_of_a_ci_service_does_not_fire(shipped: RuleSet) -> None:
    assert found(shipped, ".gitlab-ci.yml", CI_OLD, CI_NEW, "SEC-004") == []
    assert found(shipped, "docker-compose.yml", CI_OLD, CI_NEW, "SEC-004") == []
    # the same URL in application settings, pointing at a real host, still fires
    settings = 'DATABASE_URL = "postgres://app:Tr0ub4dor@db.internal:5432/app"\n'
    assert [f.line for f in found(shipped, "app/settings.py", "", settings, "SEC-004")] == [1]


KEY = "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA0Z3VS5JJcds3xfn/ygWyF0qXcFJm\n-----END RSA PRIVATE KEY-----\n"


def test_private_keys_of_a_fixture_folder_are_notes_not_critical(shipped: RuleSet) -> None:
    """Six fixture keys under ``tests/certs/`` made six Critical threads; now they are notes."""
    files = [file_diff(f"tests/certs/{name}.key", "", KEY) for name in ("ca", "server", "client", "expired",
                                                                          "wrong-host", "self-signed")]
    hits = [f for f in run_detectors(files, shipped) if f.rule_id == "SEC-002"]
    assert len(hits) == 6 and {f.severity for f in hits} == {Severity.NOTE}
    deployed = [f for f in run_detectors([file_diff("deploy/tls/server.key", "", KEY)], shipped)
                if f.rule_id == "SEC-002"]
    assert [(f.line, f.severity) for f in deployed] == [(1, Severity.CRITICAL)]


# --------------------------------------------------------------------------- wrong weight
@pytest.mark.parametrize(("rule_id", "path", "line"), [
    ("SEC-007", "svc/cache.py", "obj = pickle.loads(redis.get(key))"),
    ("SEC-012", "web/a.js", "el.innerHTML = comment.body;"),
    ("SEC-009", "db/q.py", 'cur.execute(f"SELECT * FROM users WHERE id = {user_id}")'),
    ("GO-002", "pkg/a.go", "for _, n := range names {\n\tf, _ := os.Open(n)\n\tdefer f.Close()\n}"),
])
def test_a_pattern_match_of_a_rule_without_proof_is_at_most_a_suggestion(shipped, rule_id, path, line) -> None:
    rule = shipped.get(rule_id)
    assert rule.severity is Severity.IMPORTANT and rule.evidence == "hint"
    hits = [f for f in run_detectors([file_diff(path, "", line + "\n")], shipped) if f.rule_id == rule_id]
    assert hits and {f.severity for f in hits} == {Severity.SUGGESTION}
