"""`smm approvals` against a local server answering with the GitHub REST API's documented JSON."""
from __future__ import annotations

import json

import pytest
from werkzeug import Response

from conftest import run_smm

REPO = "kelda/social"
HEAD = "6dcb09b5b57875f334f61aebed695e2e4193db5e"
OLD = "1111111111111111111111111111111111111111"
POST = "content/posts/2026/11/23-stockholm-winter-hours.md"
PAID_POST = "content/posts/2026/12/01-trail-flask-veluwe-nl.md"


def pull(author="daan-visser"):
    return {"url": f"https://api.github.com/repos/{REPO}/pulls/7", "number": 7, "state": "open",
            "title": "Winter hours", "user": {"login": author, "id": 1, "type": "User"},
            "head": {"ref": "winter-hours", "sha": HEAD}, "base": {"ref": "main", "sha": OLD}}


def file(name, status="modified", previous=None):
    item = {"sha": "bbcd538c8e72b8c175046e27cc8f907076331401", "filename": name, "status": status,
            "additions": 3, "deletions": 1, "changes": 4}
    if previous:
        item["previous_filename"] = previous
    return item


def review(login, state="APPROVED", commit=HEAD, id_=1):
    return {"id": id_, "user": {"login": login, "id": id_, "type": "User"}, "body": "", "state": state,
            "commit_id": commit, "submitted_at": f"2026-11-20T10:{id_:02d}:00Z", "author_association": "MEMBER"}


def commit(author="daan-visser"):
    return {"sha": HEAD, "author": {"login": author}, "committer": {"login": "web-flow"},
            "commit": {"message": "Winter hours"}}


def serve(httpserver, files, reviews, author="daan-visser", commits=None):
    base = f"/repos/{REPO}/pulls/7"
    httpserver.expect_request(base).respond_with_json(pull(author))
    httpserver.expect_request(f"{base}/files").respond_with_json(files)
    httpserver.expect_request(f"{base}/reviews").respond_with_json(reviews)
    httpserver.expect_request(f"{base}/commits").respond_with_json(commits or [commit(author)])


def approvals(sample, httpserver, *extra, env=None):
    full = {"GITHUB_API_URL": httpserver.url_for("/"), "GITHUB_TOKEN": "test-token", "GITHUB_REPOSITORY": REPO,
            **(env or {})}
    return run_smm("approvals", "--pr", "7", *extra, cwd=sample, env=full)


def test_post_approved_by_a_community_manager_passes(sample, httpserver):
    serve(httpserver, [file(POST)], [review("leyla-aliyeva")])
    result = approvals(sample, httpserver)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "ok      post-review" in result.stdout


def test_post_without_approval_fails_and_names_who_can_approve(sample, httpserver):
    serve(httpserver, [file(POST)], [])
    result = approvals(sample, httpserver)
    assert result.returncode == 1
    assert "MISSING post-review" in result.stdout and "saga-lind" in result.stdout


def test_paid_campaign_post_needs_finance_smm_and_legal(sample, httpserver):
    serve(httpserver, [file(PAID_POST)], [review("saga-lind", id_=1), review("pieter-de-wit", id_=2),
                                          review("ingrid-berg", id_=3)])
    result = approvals(sample, httpserver, "--format", "json")
    assert result.returncode == 0, result.stdout
    rules = {r["id"]: r for r in json.loads(result.stdout)["rules"]}
    assert set(rules) == {"post-review", "paid-campaign", "legal-review"}
    assert rules["paid-campaign"]["approvers"] == ["pieter-de-wit", "saga-lind"]


def test_paid_campaign_post_without_finance_fails(sample, httpserver):
    serve(httpserver, [file(PAID_POST)], [review("saga-lind"), review("ingrid-berg", id_=2)])
    result = approvals(sample, httpserver, "--format", "json")
    assert result.returncode == 1
    rules = {r["id"]: r for r in json.loads(result.stdout)["rules"]}
    assert not rules["paid-campaign"]["met"] and "finance (pieter-de-wit)" in rules["paid-campaign"]["missing"]


def test_all_mode_needs_different_people_for_each_role(sample, httpserver):
    team = sample / "strategy" / "team.yaml"
    team.write_text(team.read_text("utf-8").replace("roles: [finance]", "roles: [finance, social-media-manager]"))
    serve(httpserver, [file(PAID_POST)], [review("pieter-de-wit"), review("ingrid-berg", id_=2)])
    result = approvals(sample, httpserver, "--format", "json")
    rules = {r["id"]: r for r in json.loads(result.stdout)["rules"]}
    assert not rules["paid-campaign"]["met"]


def test_nobody_approves_their_own_change(sample, httpserver):
    serve(httpserver, [file("strategy/voice.md")], [review("saga-lind")], author="saga-lind")
    result = approvals(sample, httpserver)
    assert result.returncode == 1
    assert "not counted: saga-lind (approved their own change)" in result.stdout


def test_commit_authors_cannot_approve_either(sample, httpserver):
    serve(httpserver, [file(POST)], [review("leyla-aliyeva")], commits=[commit("daan-visser"), commit("leyla-aliyeva")])
    assert approvals(sample, httpserver).returncode == 1


@pytest.mark.parametrize("sequence, ok", [
    ([("APPROVED", HEAD), ("CHANGES_REQUESTED", HEAD)], False),
    ([("CHANGES_REQUESTED", HEAD), ("APPROVED", HEAD)], True),
    ([("APPROVED", HEAD), ("COMMENTED", HEAD)], True),
    ([("APPROVED", HEAD), ("DISMISSED", HEAD)], False),
    ([("APPROVED", OLD)], False),
])
def test_latest_review_per_reviewer_counts_and_stale_or_dismissed_do_not(sample, httpserver, sequence, ok):
    reviews = [review("leyla-aliyeva", state, sha, i + 1) for i, (state, sha) in enumerate(sequence)]
    serve(httpserver, [file(POST)], reviews)
    assert (approvals(sample, httpserver).returncode == 0) == ok


def test_reviewers_outside_the_team_do_not_count(sample, httpserver):
    serve(httpserver, [file(POST)], [review("random-person")])
    result = approvals(sample, httpserver)
    assert result.returncode == 1 and "random-person (not in strategy/team.yaml)" in result.stdout


def test_pagination_is_followed(sample, httpserver):
    base = f"/repos/{REPO}/pulls/7"
    httpserver.expect_request(base).respond_with_json(pull())
    page2 = httpserver.url_for(f"{base}/files") + "?per_page=100&page=2"
    httpserver.expect_request(f"{base}/files", query_string="per_page=100&page=2").respond_with_json(
        [file("strategy/crisis.md")])
    httpserver.expect_request(f"{base}/files", query_string="per_page=100").respond_with_json(
        [file(POST)], headers={"Link": f'<{page2}>; rel="next", <{page2}>; rel="last"'})
    httpserver.expect_request(f"{base}/reviews").respond_with_json([review("leyla-aliyeva")])
    httpserver.expect_request(f"{base}/commits").respond_with_json([commit()])
    result = approvals(sample, httpserver)
    assert result.returncode == 1 and "MISSING strategy-review" in result.stdout


def test_a_next_page_on_another_host_is_not_followed_and_gets_no_token(sample, httpserver):
    from pytest_httpserver import HTTPServer
    elsewhere = HTTPServer()
    elsewhere.start()
    try:
        base = f"/repos/{REPO}/pulls/7"
        httpserver.expect_request(base).respond_with_json(pull())
        httpserver.expect_request(f"{base}/files").respond_with_json(
            [file(POST)], headers={"Link": f'<{elsewhere.url_for("/files")}?page=2>; rel="next"'})
        elsewhere.expect_request("/files").respond_with_json([])
        result = approvals(sample, httpserver)
        assert result.returncode == 2 and "is not on http://" in result.stderr and "fails closed" in result.stderr
        assert elsewhere.log == []
    finally:
        elsewhere.clear()
        elsewhere.stop()


def test_a_redirect_to_another_host_is_not_followed_and_gets_no_token(sample, httpserver):
    from pytest_httpserver import HTTPServer
    elsewhere = HTTPServer()
    elsewhere.start()
    try:
        httpserver.expect_request(f"/repos/{REPO}/pulls/7").respond_with_response(
            Response(status=302, headers={"Location": elsewhere.url_for("/pulls/7")}))
        elsewhere.expect_request("/pulls/7").respond_with_json(pull())
        result = approvals(sample, httpserver)
        assert result.returncode == 2 and "redirected to another host" in result.stderr
        assert elsewhere.log == []
    finally:
        elsewhere.clear()
        elsewhere.stop()


def test_a_redirect_on_the_api_is_followed(sample, httpserver):
    serve(httpserver, [file(POST)], [review("leyla-aliyeva")])
    httpserver.expect_request(f"/repos/{REPO}/pulls/8").respond_with_response(
        Response(status=301, headers={"Location": httpserver.url_for(f"/repos/{REPO}/pulls/7")}))
    run_smm("approvals", "--pr", "8", cwd=sample, env={
        "GITHUB_API_URL": httpserver.url_for("/"), "GITHUB_TOKEN": "test-token", "GITHUB_REPOSITORY": REPO})
    followed = [request for request, _ in httpserver.log if request.path == f"/repos/{REPO}/pulls/7"]
    assert followed and followed[0].headers["Authorization"] == "Bearer test-token"


def test_an_api_address_that_is_no_web_address_fails_closed(sample, httpserver):
    result = approvals(sample, httpserver, env={"GITHUB_API_URL": "not a url"})
    assert result.returncode == 2 and "GITHUB_API_URL" in result.stderr and "internal error" not in result.stderr


def test_api_error_fails_closed(sample, httpserver):
    httpserver.expect_request(f"/repos/{REPO}/pulls/7").respond_with_json(
        {"message": "Not Found", "documentation_url": "https://docs.github.com/rest"}, status=404)
    result = approvals(sample, httpserver)
    assert result.returncode == 2 and "HTTP 404" in result.stderr and "fails closed" in result.stderr


def test_rate_limit_fails_closed(sample, httpserver):
    httpserver.expect_request(f"/repos/{REPO}/pulls/7").respond_with_json(
        {"message": "API rate limit exceeded"}, status=403,
        headers={"x-ratelimit-remaining": "0", "x-ratelimit-reset": "1767225600"})
    result = approvals(sample, httpserver)
    assert result.returncode == 2 and "rate limited" in result.stderr


def test_malformed_answer_fails_closed(sample, httpserver):
    base = f"/repos/{REPO}/pulls/7"
    httpserver.expect_request(base).respond_with_json(pull())
    httpserver.expect_request(f"{base}/files").respond_with_response(Response("<html>oops</html>", status=200))
    assert approvals(sample, httpserver).returncode == 2


def test_wrong_shape_fails_closed(sample, httpserver):
    serve(httpserver, [file(POST)], [{"user": {"login": "leyla-aliyeva"}}])   # no state
    result = approvals(sample, httpserver)
    assert result.returncode == 2 and "documented shape" in result.stderr


def test_missing_token_fails_closed(sample, httpserver):
    result = approvals(sample, httpserver, env={"GITHUB_TOKEN": ""})
    assert result.returncode == 2 and "GITHUB_TOKEN" in result.stderr


def test_unreachable_api_fails_closed(sample):
    result = run_smm("approvals", "--pr", "7", cwd=sample, env={"GITHUB_API_URL": "http://127.0.0.1:9",
                                                                 "GITHUB_TOKEN": "t", "GITHUB_REPOSITORY": REPO})
    assert result.returncode == 2 and "cannot reach" in result.stderr


def test_summary_is_written_for_actions(sample, httpserver, tmp_path):
    serve(httpserver, [file(POST)], [review("leyla-aliyeva")])
    summary = tmp_path / "summary.md"
    approvals(sample, httpserver, env={"GITHUB_STEP_SUMMARY": str(summary)})
    assert "| ✅ | `post-review` | leyla-aliyeva | met |" in summary.read_text("utf-8")


def test_codeowners_matches_the_team_file(sample):
    assert run_smm("codeowners", "--check", cwd=sample).returncode == 0
    team = sample / "strategy" / "team.yaml"
    team.write_text(team.read_text("utf-8").replace("roles: [designer]", "roles: [designer, community-manager]"))
    result = run_smm("codeowners", "--check", cwd=sample)
    assert result.returncode == 1 and "+/content/posts/ @bjork-sigurdsdottir @daan-visser @leyla-aliyeva " \
                                      "@omar-haddad @saga-lind" in result.stderr
    assert run_smm("codeowners", cwd=sample).returncode == 0
    assert "@omar-haddad @saga-lind" in (sample / ".github" / "CODEOWNERS").read_text("utf-8")
    assert run_smm("codeowners", "--check", cwd=sample).returncode == 0
