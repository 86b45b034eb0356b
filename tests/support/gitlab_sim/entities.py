"""JSON entities in the shapes GitLab's REST API returns."""

from __future__ import annotations

from .model import Award, Discussion, DraftNote, MergeRequest, Note, Project, User


def user(u: User, base_url: str) -> dict:
    """`UserBasic`."""
    return {
        "id": u.id, "username": u.username, "name": u.name, "state": "active", "locked": False,
        "avatar_url": None, "web_url": f"{base_url}/{u.username}",
    }


def project(p: Project, base_url: str) -> dict:
    """A trimmed `Project` entity."""
    ns, _, name = p.path_with_namespace.rpartition("/")
    return {
        "id": p.id, "name": name, "path": name, "path_with_namespace": p.path_with_namespace,
        "name_with_namespace": p.path_with_namespace.replace("/", " / "),
        "namespace": {"full_path": ns, "path": ns.rsplit("/", 1)[-1], "name": ns},
        "default_branch": p.default_branch, "visibility": "private",
        "web_url": f"{base_url}/{p.path_with_namespace}",
        "resolve_outdated_diff_discussions": p.resolve_outdated_diff_discussions,
    }


def merge_request(mr: MergeRequest, users: dict[str, User], base_url: str) -> dict:
    """The single-MR entity (with `diff_refs`)."""
    v = mr.latest
    count = len(v.files)
    return {
        "id": mr.id, "iid": mr.iid, "project_id": mr.project.id, "title": mr.title,
        "description": mr.description, "state": "opened", "created_at": mr.created_at,
        "updated_at": mr.updated_at or mr.created_at, "target_branch": mr.target_branch,
        "source_branch": mr.source_branch, "author": user(users[mr.author], base_url),
        "source_project_id": mr.project.id, "target_project_id": mr.project.id, "labels": [],
        "draft": mr.draft, "work_in_progress": mr.draft, "merge_status": "can_be_merged",
        "detailed_merge_status": "mergeable", "sha": v.head_commit_sha,
        "user_notes_count": sum(1 for n in mr.all_notes() if not n.system),
        "references": {"short": f"!{mr.iid}", "full": f"{mr.project.path_with_namespace}!{mr.iid}"},
        "web_url": f"{base_url}/{mr.project.path_with_namespace}/-/merge_requests/{mr.iid}",
        "diff_refs": mr.diff_refs, "changes_count": str(count) if count <= 1000 else "1000+",
        "merge_commit_sha": None, "squash": False,
    }


def award(a: Award, users: dict[str, User], base_url: str) -> dict:
    """`AwardEmoji`."""
    return {
        "id": a.id, "name": a.name, "user": user(users[a.username], base_url),
        "created_at": a.created_at, "updated_at": a.created_at,
        "awardable_id": a.awardable_id, "awardable_type": a.awardable_type,
    }


def note(n: Note, mr: MergeRequest, users: dict[str, User], base_url: str, *, internal: bool = False) -> dict:
    """`Entities::Note` (with `line_code` added when `internal`)."""
    out = {
        "id": n.id, "type": n.type, "body": n.body, "attachment": None,
        "author": user(users[n.author], base_url), "created_at": n.created_at,
        "updated_at": n.updated_at, "system": n.system, "noteable_id": mr.id,
        "noteable_type": "MergeRequest", "project_id": mr.project.id,
    }
    if n.type == "DiffNote":
        out["commit_id"] = n.commit_id
        out["position"] = dict(n.position) if n.position else None
    out["resolvable"] = n.resolvable
    if n.resolvable:
        out["resolved"] = n.resolved
        out["resolved_by"] = user(users[n.resolved_by], base_url) if n.resolved_by else None
        out["resolved_at"] = n.resolved_at
    if n.type == "DiffNote":
        out["suggestions"] = []
    out.update({
        "confidential": n.internal, "internal": n.internal, "imported": False,
        "imported_from": "none", "noteable_iid": mr.iid, "commands_changes": {},
    })
    if internal:
        out["line_code"] = n.line_code
        out["discussion_id"] = n.discussion_id
        out["awards"] = [award(a, users, base_url) for a in n.awards]
    return out


def discussion(d: Discussion, mr: MergeRequest, users: dict[str, User], base_url: str, *, internal: bool = False) -> dict:
    """`Entities::Discussion`."""
    out: dict = {"id": d.id, "individual_note": d.individual_note, "resolvable": d.resolvable}
    if d.resolvable:
        out["resolved"] = d.resolved
    out["notes"] = [note(n, mr, users, base_url, internal=internal) for n in d.notes]
    return out


def draft_note(dn: DraftNote, mr: MergeRequest, users: dict[str, User]) -> dict:
    """`Entities::DraftNote`."""
    return {
        "id": dn.id, "author_id": users[dn.author].id, "merge_request_id": mr.id,
        "resolve_discussion": dn.resolve_discussion, "discussion_id": dn.in_reply_to_discussion_id,
        "note": dn.note, "commit_id": dn.commit_id, "line_code": dn.line_code, "position": dn.position,
    }
