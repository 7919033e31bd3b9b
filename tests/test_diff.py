"""`smm check --base`: real Git repositories in a temporary folder, with commits, branches and renames."""
from __future__ import annotations

import json
import subprocess

import pytest

from conftest import age, run_smm, write

PUBLISHED = """---
title: Published teaser
status: published
publish_at: "2026-11-02T09:00:00+01:00"
platforms: [x]
---
The copy that went out.
"""
SCHEDULED = """---
title: Scheduled teaser
status: scheduled
publish_at: "2026-12-02T09:00:00+01:00"
platforms: [x]
---
Goes out in December.
"""
NOW = {"SMM_NOW": "2026-11-22T12:00:00+00:00"}


def git(root, *args):
    subprocess.run(["git", *args], cwd=root, check=True, capture_output=True)


@pytest.fixture
def history(repo):
    """The fixture repository as a Git repository: main holds two posts; work happens on a branch."""
    write(repo, "content/posts/2026/11/02-published.md", PUBLISHED)
    write(repo, "content/posts/2026/12/02-scheduled.md", SCHEDULED)
    git(repo, "init", "-q", "-b", "main")
    git(repo, "config", "user.email", "editor@kelda.example")
    git(repo, "config", "user.name", "Editor")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "Base")
    git(repo, "checkout", "-q", "-b", "change")
    return repo


def commit(root, message="Change"):
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", message)


def check_base(root, *extra):
    result = run_smm("check", "--base", "main", "--format", "json", *extra, cwd=root, env=NOW)
    assert result.returncode in (0, 1), result.stderr
    return json.loads(result.stdout)


def rules_of(payload):
    return {(f["rule"], f["path"]) for f in payload["findings"]}


def test_copy_of_a_published_post_cannot_change(history):
    write(history, "content/posts/2026/11/02-published.md", PUBLISHED.replace("went out", "was edited"))
    commit(history)
    assert ("diff.published-changed", "content/posts/2026/11/02-published.md") in rules_of(check_base(history))


def test_title_and_urls_of_a_published_post_may_change(history):
    write(history, "content/posts/2026/11/02-published.md",
          PUBLISHED.replace("Published teaser", "Teaser (record)").replace(
              "platforms: [x]", "platforms: [x]\npublished: {x: 'https://x.com/kelda/status/1'}"))
    commit(history)
    assert not [r for r, _ in rules_of(check_base(history)) if r.startswith("diff.")]


@pytest.mark.parametrize("runs", [1, 2])
def test_published_copy_is_compared_as_written_when_posts_are_checked_in_workers(history, runs):
    """With many posts (here forced) posts come back from workers, and from the cache on a second run,
    as slim copies without their copy; the diff must still compare the copy as written."""
    write(history, "content/posts/2026/11/01-first.md", SCHEDULED)     # the published post is now a worker's
    write(history, "content/posts/2026/11/02-published.md", PUBLISHED.replace("Published teaser", "Teaser (record)"))
    commit(history)
    age(history)                                                            # old enough to be cached
    env = {**NOW, "SMM_PARALLEL_FROM": "1"}
    for _ in range(runs):
        result = run_smm("check", "--base", "main", "--format", "json", cwd=history, env=env)
    assert not [r for r, _ in rules_of(json.loads(result.stdout)) if r.startswith("diff.")]
    write(history, "content/posts/2026/11/02-published.md", PUBLISHED.replace("went out", "was edited"))
    result = run_smm("check", "--base", "main", "--format", "json", cwd=history, env=env)
    assert ("diff.published-changed", "content/posts/2026/11/02-published.md") in rules_of(json.loads(result.stdout))


def test_nothing_goes_back_from_published_to_draft(history):
    write(history, "content/posts/2026/11/02-published.md", PUBLISHED.replace("status: published", "status: draft"))
    commit(history)
    payload = check_base(history)
    [finding] = [f for f in payload["findings"] if f["rule"] == "diff.status"]
    assert finding["line"] == 3 and "published to draft" in finding["message"]


def test_a_renamed_scheduled_post_keeps_its_id(history):
    git(history, "mv", "content/posts/2026/12/02-scheduled.md", "content/posts/2026/12/02-renamed.md")
    commit(history, "Rename")
    assert ("diff.id-changed", "content/posts/2026/12/02-renamed.md") in rules_of(check_base(history))
    write(history, "content/posts/2026/12/02-renamed.md",
          SCHEDULED.replace("title:", "id: 2026-12-02-scheduled\ntitle:"))
    commit(history, "Keep the id")
    assert not [r for r, _ in rules_of(check_base(history)) if r == "diff.id-changed"]


def test_a_scheduled_post_moved_into_the_past_is_reported(history):
    write(history, "content/posts/2026/12/02-scheduled.md", SCHEDULED.replace("2026-12-02T09", "2026-11-20T09"))
    commit(history)
    assert ("diff.moved-into-past", "content/posts/2026/12/02-scheduled.md") in rules_of(check_base(history))


def test_moving_a_scheduled_post_later_is_fine(history):
    write(history, "content/posts/2026/12/02-scheduled.md", SCHEDULED.replace("2026-12-02T09", "2026-12-02T11"))
    commit(history)
    assert not [r for r, _ in rules_of(check_base(history)) if r.startswith("diff.")]


def test_deleting_a_published_post_is_an_error(history):
    git(history, "rm", "-q", "content/posts/2026/11/02-published.md")
    commit(history)
    assert ("diff.published-removed", "content/posts/2026/11/02-published.md") in rules_of(check_base(history))


def test_calendar_diff_reports_added_changed_and_removed(history):
    write(history, "content/posts/2026/12/05-new.md", SCHEDULED.replace("Scheduled teaser", "New post")
          .replace("2026-12-02T09", "2026-12-05T10"))
    write(history, "content/posts/2026/12/02-scheduled.md", SCHEDULED.replace("2026-12-02T09", "2026-12-02T15"))
    commit(history)
    payload = check_base(history)
    changes = {(c["change"], c["title"]): c for c in payload["calendar_changes"]}
    assert changes[("added", "New post")]["publish_at"] == "2026-12-05T10:00:00+01:00"
    assert changes[("changed", "Scheduled teaser")]["fields"] == ["time"]
    text = run_smm("check", "--base", "main", cwd=history, env=NOW).stdout
    assert "+ 2026-12-05 10:00 [x] New post (scheduled)" in text
    assert "~ 2026-12-02 15:00 [x] Scheduled teaser (scheduled) (time)" in text


def test_uncommitted_and_untracked_changes_are_compared_too(history):
    write(history, "content/posts/2026/12/09-untracked.md", SCHEDULED.replace("Scheduled teaser", "Untracked"))
    payload = check_base(history)
    assert [c["title"] for c in payload["calendar_changes"]] == ["Untracked"]


def test_github_summary_has_the_calendar_diff_and_previews(history, tmp_path):
    write(history, "content/posts/2026/12/05-new.md", SCHEDULED.replace("Scheduled teaser", "<b>New</b> post"))
    commit(history)
    summary = tmp_path / "summary.md"
    run_smm("check", "--base", "main", "--format", "github", cwd=history,
            env={**NOW, "GITHUB_STEP_SUMMARY": str(summary)})
    text = summary.read_text("utf-8")
    assert "## Calendar changes" in text and "&lt;b&gt;New&lt;/b&gt; post" in text and "<b>New" not in text
    assert "**x**: 21/280" in text and "<pre>Goes out in December.</pre>" in text


def test_unknown_base_is_a_usage_error(history):
    result = run_smm("check", "--base", "no-such-branch", cwd=history)
    assert result.returncode == 2 and "no-such-branch" in result.stderr
