"""Prompt overrides: in-memory templates layered before the packaged ones, errors that name the
override's file and line, and the check that runs before any model call."""

from __future__ import annotations

from pathlib import Path

import jinja2
import pytest

from reviewer.agents import load_agents
from reviewer.errors import ConfigError
from reviewer.models import MergeRequest, RiskAssessment, RiskTier
from reviewer.prompting import build_messages, render
from reviewer.prompting.check import check_overrides
from reviewer.prompting.overrides import (
    PromptOverrides, PromptTemplate, from_repo_files, packaged_names, read_folder,
)
from reviewer.prompting.templates import _environment, compile_overrides
from reviewer.resources import data_dir
from reviewer.settings import Settings, parse_repo_config
from tests.support.diff_builder import file_diff

RISK = RiskAssessment(tier=RiskTier.FULL, reasons=[])


def sample_files():
    return [file_diff("app/store.py", "def load():\n    return 1\n", "def load():\n    return 2\n"),
            file_diff("app/new.py", "", "X = 1\n")]


def overrides(**texts: str) -> PromptOverrides:
    """Overrides from ``name=text`` (``security_md`` → ``security.md.j2``), origin under ``.reviewer/prompts``."""
    templates = []
    for key, text in texts.items():
        name = key.replace("_md", ".md") + ".j2" if not key.startswith("_") else key + ".j2"
        templates.append(PromptTemplate(name=name, origin=f".reviewer/prompts/{name}", text=text))
    return PromptOverrides.layered(templates)


def packaged(name: str) -> str:
    return (data_dir("prompts") / name).read_text(encoding="utf-8")


def spec(name: str = "security"):
    return next(s for s in load_agents() if s.name == name)


def test_an_override_replaces_its_template_and_the_packaged_partials_still_apply():
    custom = overrides(security_md="CUSTOM SECURITY CHECKLIST\n{% include '_role.j2' %}")
    text = render("security.md.j2", overrides=custom, agent=spec(), tier="full", rules=[], focus=[])
    assert text.startswith("CUSTOM SECURITY CHECKLIST")
    assert "You are the Security reviewer. Report at most 8 findings" in text
    assert "## Security review" not in text  # the packaged body is gone
    assert "## Security review" in render("security.md.j2", agent=spec(), tier="full", rules=[], focus=[])


def test_an_overridden_partial_is_used_by_the_packaged_templates_that_include_it():
    custom = overrides(_role="ROLE FROM THE REPOSITORY for {{ agent.name }}.")
    text = render("security.md.j2", overrides=custom, agent=spec(), tier="full", rules=[], focus=[])
    assert text.startswith("ROLE FROM THE REPOSITORY for security.")
    assert "## Security review" in text and "You are the" not in text


def test_build_messages_reads_the_overrides_from_settings_with_the_planning_signature():
    settings = Settings(prompt_overrides=overrides(system_md="SYSTEM OVERRIDE", shared_md="SHARED {{ tier }}"))
    messages = build_messages(spec(), [], MergeRequest(), None, settings, RISK)  # as planning calls it
    assert [m["content"] for m in messages[:2]] == ["SYSTEM OVERRIDE", "SHARED full"]
    assert messages[2]["content"].startswith("You are the Security reviewer")


def test_the_first_layer_wins_and_names_are_sorted():
    cli = [PromptTemplate(name="_role.j2", origin="mine/_role.j2", text="cli")]
    repo = [PromptTemplate(name="_role.j2", origin=".reviewer/prompts/_role.j2", text="repo"),
            PromptTemplate(name="_diff.j2", origin=".reviewer/prompts/_diff.j2", text="diff")]
    layered = PromptOverrides.layered(cli, repo)
    assert [(t.name, t.origin) for t in layered.templates] == [
        ("_diff.j2", ".reviewer/prompts/_diff.j2"), ("_role.j2", "mine/_role.j2")]
    assert not PromptOverrides() and layered


def test_one_environment_per_distinct_override_set():
    first, same = overrides(_role="a"), overrides(_role="a")
    assert first is not same
    assert _environment((), first.templates) is _environment((), same.templates)
    assert _environment((), first.templates) is not _environment((), overrides(_role="b").templates)
    assert _environment((), ()) is _environment((), PromptOverrides().templates)


def test_a_syntax_error_names_the_override_file_and_line():
    broken = overrides(security_md="line one\nline two\n{% if agent %}never closed\n")
    with pytest.raises(ConfigError) as caught:
        render("security.md.j2", overrides=broken, agent=spec(), tier="full", rules=[], focus=[])
    assert str(caught.value).startswith("prompt override .reviewer/prompts/security.md.j2 line 3: ")
    assert "endif" in str(caught.value)


def test_an_unknown_variable_names_the_override_file_and_line():
    broken = overrides(security_md="line one\nline two\n{{ foo }}\n")
    with pytest.raises(ConfigError, match=r"^prompt override \.reviewer/prompts/security\.md\.j2 line 3: "
                                          r"'foo' is undefined$"):
        render("security.md.j2", overrides=broken, agent=spec(), tier="full", rules=[], focus=[])


def test_a_packaged_partial_failing_under_an_override_names_both():
    broken = overrides(security_md="x\n{% with agent = 1 %}{% include '_role.j2' %}{% endwith %}")
    with pytest.raises(ConfigError) as caught:
        render("security.md.j2", overrides=broken, agent=spec(), tier="full", rules=[], focus=[])
    assert str(caught.value) == ("prompt override .reviewer/prompts/security.md.j2 line 2: 'int object' has no "
                                 "attribute 'category' (in _role.j2 line 2)")


def test_a_packaged_template_error_without_an_override_involved_stays_a_jinja_error():
    unrelated = overrides(docs_md="docs")
    with pytest.raises(jinja2.UndefinedError):
        render("_role.j2", overrides=unrelated)


def test_compiling_finds_a_syntax_error_in_a_template_nothing_renders():
    helper = overrides(_helper="fine\n{% for x in %}")
    with pytest.raises(ConfigError, match=r"^prompt override \.reviewer/prompts/_helper\.j2 line 2: "):
        compile_overrides(helper)


def test_unused_overrides_are_the_misspelt_ones_not_the_included_helpers():
    found = overrides(securty_md="typo", _mine="helper", shared_md="{% include '_mine.j2' %}").unused(packaged_names())
    assert [t.name for t in found] == ["securty.md.j2"]


def test_reading_a_folder_takes_the_j2_files_by_their_path_inside_it(tmp_path: Path):
    (tmp_path / "p" / "partials").mkdir(parents=True)
    (tmp_path / "p" / "security.md.j2").write_text("S")
    (tmp_path / "p" / "partials" / "x.j2").write_text("X")
    (tmp_path / "p" / "README.md").write_text("not a template")
    found = read_folder(tmp_path / "p")
    assert [(t.name, t.origin, t.text) for t in found] == [
        ("partials/x.j2", f"{(tmp_path / 'p').as_posix()}/partials/x.j2", "X"),
        ("security.md.j2", f"{(tmp_path / 'p').as_posix()}/security.md.j2", "S")]
    with pytest.raises(ConfigError, match="^--prompts-dir .*missing: no such folder$"):
        read_folder(tmp_path / "missing")


def test_repository_files_become_templates_named_inside_the_folder():
    files = {".reviewer/prompts/_role.j2": "R", ".reviewer/prompts/sub/a.j2": "A", ".reviewer/promptsX/b.j2": "B"}
    assert [(t.name, t.origin) for t in from_repo_files(files, ".reviewer/prompts")] == [
        ("_role.j2", ".reviewer/prompts/_role.j2"), ("sub/a.j2", ".reviewer/prompts/sub/a.j2")]


def test_the_config_key_is_a_folder_inside_the_repository():
    assert parse_repo_config("prompts_dir: ./.reviewer/prompts/\n").prompts_dir == ".reviewer/prompts"
    assert parse_repo_config("").prompts_dir is None
    for bad in ("/etc/prompts", "../outside", "."):
        with pytest.raises(ConfigError, match=r"^\.reviewer\.yml: bad value for 'prompts_dir': "):
            parse_repo_config(f"prompts_dir: '{bad}'\n")


def test_the_check_passes_copies_of_every_packaged_template():
    copies = PromptOverrides.layered([PromptTemplate(name=n, origin=f"copy/{n}", text=packaged(n))
                                      for n in packaged_names()])
    mr = MergeRequest(files=sample_files())
    assert check_overrides(mr, Settings(prompt_overrides=copies)) == []


def test_the_check_renders_loops_a_real_call_fills_even_when_the_change_gives_them_nothing():
    # An empty change and no Codex rules: the loops over files, rules and earlier findings only run
    # because the check fills them.
    for name, text, line in [
        ("shared.md.j2", "head\n{% for f in files %}{{ f.nope }}{% endfor %}", 2),
        ("_rules.j2", "\n\n{% for r in rules %}{{ r.colour }}{% endfor %}", 3),
        ("_earlier.j2", "{% for e in earlier %}{{ e.who }}{% endfor %}", 1),
        ("verify.md.j2", "{% for item in findings %}\n{{ item.finding.nope }}{% endfor %}", 2),
    ]:
        broken = PromptOverrides.layered([PromptTemplate(name=name, origin=f"p/{name}", text=text)])
        with pytest.raises(ConfigError, match=rf"^prompt override p/{name} line {line}: "):
            check_overrides(MergeRequest(), Settings(prompt_overrides=broken))


def test_the_check_renders_the_call_planning_measures_without_files():
    broken = overrides(shared_md="{{ files[0].path }}")  # fine with files, fails as planning renders it
    with pytest.raises(ConfigError, match=r"^prompt override \.reviewer/prompts/shared\.md\.j2 line 1: "):
        check_overrides(MergeRequest(files=sample_files()), Settings(prompt_overrides=broken))


def test_the_check_warns_about_a_misspelt_override_and_suggests_the_name():
    warnings = check_overrides(MergeRequest(), Settings(prompt_overrides=overrides(securty_md="x")))
    assert warnings == ["prompt override .reviewer/prompts/securty.md.j2 replaces no packaged template and no "
                        "override includes it, so it is not used (did you mean security.md.j2?)"]
