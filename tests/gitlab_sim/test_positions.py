"""Diff positions through python-gitlab: accepted kinds, line codes, exact 400 bodies."""

from __future__ import annotations

import hashlib

import gitlab
import pytest

LINE_CODE_400 = "400 Bad request - Note {:line_code=>[\"can't be blank\", \"must be a valid line code\"]}"


def sha1(text: str) -> str:
    return hashlib.sha1(text.encode()).hexdigest()


def pos(mr, old_path, new_path, old_line=None, new_line=None, **extra) -> dict:
    p = {**mr.diff_refs, "position_type": "text", "old_path": old_path, "new_path": new_path}
    if old_line is not None:
        p["old_line"] = old_line
    if new_line is not None:
        p["new_line"] = new_line
    p.update(extra)
    return p


def post(mr, position):
    return mr.discussions.create({"body": "finding", "position": position})


def test_diffs_endpoint_shape(gl, sim):
    items = gl.http_list(f"/projects/{sim.project.id}/merge_requests/1/diffs", get_all=True)
    by_path = {d["new_path"]: d for d in items}
    assert set(by_path) == {"README.md", "new.txt", "added.py", "gone.txt"}
    readme = by_path["README.md"]
    assert readme["diff"].startswith("@@ -8,7 +8,7 @@") and "---" not in readme["diff"].splitlines()[0]
    assert list(readme) == ["diff", "collapsed", "too_large", "new_path", "old_path", "a_mode", "b_mode",
                            "new_file", "renamed_file", "deleted_file", "generated_file"]
    assert by_path["new.txt"]["renamed_file"] and by_path["new.txt"]["old_path"] == "old.txt"
    assert by_path["added.py"]["new_file"] and by_path["added.py"]["a_mode"] == "0"
    assert by_path["gone.txt"]["deleted_file"] and by_path["gone.txt"]["b_mode"] == "0"


@pytest.mark.parametrize(
    ("paths", "old_line", "new_line", "code"),
    [
        (("README.md", "README.md"), None, 11, "12_11"),  # added
        (("README.md", "README.md"), 11, None, "11_11"),  # removed
        (("README.md", "README.md"), 8, 8, "8_8"),  # context in hunk
        (("README.md", "README.md"), 21, 22, "21_22"),  # context after an insertion
        (("README.md", "README.md"), 1, 1, "1_1"),  # unfolded above the first hunk
        (("README.md", "README.md"), 16, 16, "16_16"),  # unfolded between hunks
        (("README.md", "README.md"), 28, 29, "28_29"),  # unfolded below the last hunk (offset +1)
        (("added.py", "added.py"), None, 2, "0_2"),  # new file: old counter stays 0
        (("gone.txt", "gone.txt"), 1, None, "1_0"),  # deleted file: new counter stays 0
        (("old.txt", "new.txt"), None, 21, "21_21"),  # renamed file, added line
        (("old.txt", "new.txt"), 20, 20, "20_20"),  # renamed file, context
    ],
)
def test_accepted_positions(mr, sim, paths, old_line, new_line, code):
    d = post(mr, pos(mr, *paths, old_line=old_line, new_line=new_line))
    note = d.attributes["notes"][0]
    assert note["type"] == "DiffNote" and note["resolvable"] is True
    assert note["position"]["old_line"] == old_line and note["position"]["new_line"] == new_line
    stored = sim.discussions(sim.mr)[-1]["notes"][0]
    assert stored["line_code"] == f"{sha1(paths[1])}_{code}"


@pytest.mark.parametrize(
    ("paths", "old_line", "new_line"),
    [
        (("README.md", "README.md"), 11, 11),  # added line sent with old_line
        (("README.md", "README.md"), None, 8),  # context line missing old_line
        (("README.md", "README.md"), 28, 28),  # unfolded with the wrong offset
        (("README.md", "README.md"), None, 16),  # added line outside the diff
        (("README.md", "README.md"), 99, 100),  # beyond the file
        (("/dev/null", "added.py"), None, 1),  # new file with /dev/null
        (("new.txt", "new.txt"), None, 21),  # rename sent with the new path twice
        (("gone.txt", "gone.txt"), None, 1),  # deleted file has no new lines
        (("added.py", "added.py"), 1, 1),  # new files are never unfolded
    ],
)
def test_rejected_positions_give_exact_400(mr, paths, old_line, new_line):
    with pytest.raises(gitlab.GitlabCreateError) as err:
        post(mr, pos(mr, *paths, old_line=old_line, new_line=new_line))
    assert err.value.response_code == 400
    assert err.value.error_message == LINE_CODE_400


def test_incomplete_and_missing_sha(mr):
    with pytest.raises(gitlab.GitlabCreateError) as err:
        post(mr, pos(mr, "README.md", "README.md"))
    assert "is incomplete" in err.value.error_message and "line_code" in err.value.error_message
    with pytest.raises(gitlab.GitlabCreateError) as err:
        post(mr, {k: v for k, v in pos(mr, "README.md", None, new_line=11).items() if v is not None})
    assert "is incomplete" in err.value.error_message
    p = pos(mr, "README.md", "README.md", new_line=11)
    del p["base_sha"]
    with pytest.raises(gitlab.GitlabCreateError) as err:
        post(mr, p)
    assert err.value.error_message == "position[base_sha] is missing"
    with pytest.raises(gitlab.GitlabCreateError) as err:
        post(mr, {**p, "base_sha": "0" * 40})
    assert err.value.error_message == LINE_CODE_400


def test_multi_line_range(mr, sim):
    start = {"line_code": f"{sha1('README.md')}_8_8", "type": "old"}
    end = {"line_code": f"{sha1('README.md')}_12_11", "type": "new"}
    d = post(mr, pos(mr, "README.md", "README.md", new_line=11, line_range={"start": start, "end": end}))
    assert d.attributes["notes"][0]["position"]["line_range"] == {"start": start, "end": end}
    # top-level lines must be the END of the range
    with pytest.raises(gitlab.GitlabCreateError) as err:
        post(mr, pos(mr, "README.md", "README.md", old_line=8, new_line=8, line_range={"start": start, "end": end}))
    assert err.value.response_code == 400
    # nested lines are declared String by the API, so the JSON schema rejects them
    with pytest.raises(gitlab.GitlabCreateError) as err:
        post(mr, pos(mr, "README.md", "README.md", new_line=11,
                     line_range={"start": {**start, "old_line": 8, "new_line": 8}, "end": end}))
    assert err.value.error_message == '400 Bad request - Note {:position=>["must be a valid json schema"]}'
    with pytest.raises(gitlab.GitlabCreateError):
        post(mr, pos(mr, "README.md", "README.md", new_line=11, extra_key=1))


def test_file_position_and_too_large(mr, sim):
    sim.mark_file(sim.mr, "README.md", too_large=True)
    with pytest.raises(gitlab.GitlabCreateError) as err:
        post(mr, pos(mr, "README.md", "README.md", new_line=11))
    assert err.value.error_message == LINE_CODE_400
    d = post(mr, {**mr.diff_refs, "position_type": "file", "old_path": "README.md", "new_path": "README.md"})
    assert d.attributes["notes"][0]["position"]["position_type"] == "file"
    diffs = {x["new_path"]: x for x in mr.manager.gitlab.http_list(
        f"/projects/{sim.project.id}/merge_requests/1/diffs", get_all=True)}
    assert diffs["README.md"]["diff"] == "" and diffs["README.md"]["too_large"] is True


def test_collapsed_file_still_accepts_positions(mr, sim):
    sim.mark_file(sim.mr, "README.md", collapsed=True)
    post(mr, pos(mr, "README.md", "README.md", new_line=11))
    full = mr.diffs.get(sim.mr.latest.id)
    assert any(x["diff"] for x in full.diffs if x["new_path"] == "README.md")


def test_form_encoded_position(sim):
    import requests

    refs = sim.mr.diff_refs
    form = {"body": "curl style", "position[position_type]": "text", "position[old_path]": "README.md",
            "position[new_path]": "README.md", "position[new_line]": "11",
            **{f"position[{k}]": v for k, v in refs.items()}}
    url = f"{sim.api_url}/projects/group%2Fproj/merge_requests/1/discussions"
    r = requests.post(url, data=form, headers={"PRIVATE-TOKEN": "tok-bot"}, timeout=5)
    assert r.status_code == 201 and r.json()["notes"][0]["position"]["new_line"] == 11
    form["position[new_line]"] = "12"
    r = requests.post(url, data=form, headers={"PRIVATE-TOKEN": "tok-bot"}, timeout=5)
    assert r.status_code == 400 and "line_code" in r.json()["message"]
