"""Which commit the flows resolve from, read like `git rev-parse HEAD` without git, and when the
pull request number may go with it."""

from __future__ import annotations

import json
from pathlib import Path

from support.npm_fixtures import webhook_example

from autosana_action.github.commit import checkout_head, resolve_git_target

SHA = "89abcdef0123456789abcdef0123456789abcdef"
OTHER = "fedcba9876543210fedcba9876543210fedcba98"


def test_detached_head(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "HEAD").write_text(f"{SHA.upper()}\n")
    assert checkout_head(tmp_path / "sub" / "dir") == SHA


def test_loose_branch_ref(tmp_path: Path) -> None:
    (tmp_path / ".git" / "refs" / "heads" / "feature").mkdir(parents=True)
    (tmp_path / ".git" / "HEAD").write_text("ref: refs/heads/feature/x\n")
    (tmp_path / ".git" / "refs" / "heads" / "feature" / "x").write_text(f"{SHA}\n")
    assert checkout_head(tmp_path) == SHA


def test_worktree_reads_its_own_head_and_the_common_refs(tmp_path: Path) -> None:
    common = tmp_path / "main" / ".git"
    gitdir = common / "worktrees" / "wt"
    gitdir.mkdir(parents=True)
    (gitdir / "HEAD").write_text("ref: refs/heads/topic\n")
    (gitdir / "commondir").write_text("../..\n")
    (common / "packed-refs").write_text(f"{OTHER} refs/heads/main\n{SHA} refs/heads/topic\n")
    checkout = tmp_path / "wt"
    checkout.mkdir()
    (checkout / ".git").write_text(f"gitdir: {gitdir}\n")
    assert checkout_head(checkout) == SHA


def test_no_checkout_and_unborn_branch(tmp_path: Path) -> None:
    assert checkout_head(tmp_path) is None
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    assert checkout_head(tmp_path) is None


def env_for(tmp_path: Path, event_name: str, event: dict[str, object]) -> dict[str, str]:
    path = tmp_path / "event.json"
    path.write_text(json.dumps(event))
    return {
        "GITHUB_EVENT_NAME": event_name,
        "GITHUB_EVENT_PATH": str(path),
        "GITHUB_REPOSITORY": str(event["repository"]["full_name"]),  # type: ignore[index]
        "GITHUB_SHA": OTHER,
        "GITHUB_WORKSPACE": str(tmp_path),
    }


def test_pr_number_input_is_kept_only_when_it_is_the_events(tmp_path: Path) -> None:
    event = webhook_example("pull_request", action="opened")
    env = env_for(tmp_path, "pull_request", event)
    number, head = event["pull_request"]["number"], event["pull_request"]["head"]["sha"]
    same = resolve_git_target(env, commit_sha=None, repo_full_name=None, pr_number=number)
    assert (same.ref, same.pr_number, same.source) == (head, number, "the pull request's head")
    other = resolve_git_target(env, commit_sha=None, repo_full_name=None, pr_number=number + 1)
    assert other.pr_number is None


def test_commit_and_pr_number_inputs_together_are_trusted(tmp_path: Path) -> None:
    env = env_for(tmp_path, "workflow_dispatch", webhook_example("workflow_dispatch"))
    target = resolve_git_target(env, commit_sha=SHA.upper(), repo_full_name=None, pr_number=7)
    assert (target.ref, target.pr_number, target.source) == (SHA, 7, "the commit-sha input")


def test_github_sha_is_the_last_resort(tmp_path: Path) -> None:
    env = env_for(tmp_path, "workflow_dispatch", webhook_example("workflow_dispatch"))
    target = resolve_git_target(env, commit_sha=None, repo_full_name=None, pr_number=None)
    assert (target.ref, target.source, target.pr_number) == (OTHER, "GITHUB_SHA", None)


def test_a_workflow_run_resolves_from_the_run_that_built_the_app(tmp_path: Path) -> None:
    # GITHUB_SHA and any checkout are the default branch's; the build came from the triggering run.
    event = webhook_example("workflow_run", action="completed")
    env = env_for(tmp_path, "workflow_run", event)
    target = resolve_git_target(env, commit_sha=None, repo_full_name=None, pr_number=None)
    assert target.ref == event["workflow_run"]["head_sha"] != OTHER
    assert target.source == "the triggering workflow run's head"
