"""A small, strict client for the GitHub REST API: pagination followed, every failure an error.

It fails closed: a missing token, an HTTP error, a rate limit or an answer that
is not the documented shape raises GitHubError, which the command turns into
exit code 2, never a pass.
"""
from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
from urllib.parse import urljoin, urlsplit

API_VERSION = "2022-11-28"
MAX_PAGES = 100           # 100 pages x 100 items: far beyond GitHub's own 3,000-file limit per pull request
TIMEOUT = 30
_NEXT = re.compile(r'<([^>]+)>;\s*rel="next"')


class GitHubError(Exception):
    """The API could not give a trustworthy answer."""


class _SameOriginRedirects(urllib.request.HTTPRedirectHandler):
    """Redirects within the API's origin are followed (GitHub answers a renamed repository so);
    one to another host is refused: urllib would send it the token too."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        if _origin(newurl) != _origin(req.full_url):
            raise urllib.error.URLError(f"redirected to another host ({newurl[:200]}), not followed")
        return super().redirect_request(req, fp, code, msg, headers, newurl)


_OPENER = urllib.request.build_opener(_SameOriginRedirects)


def _origin(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.scheme, parts.netloc


class GitHubClient:
    def __init__(self, api_url: str, token: str | None, repository: str):
        if not token:
            raise GitHubError("no token: set GITHUB_TOKEN (in Actions: env GITHUB_TOKEN: ${{ github.token }})")
        if not repository or not re.fullmatch(r"[\w.-]+/[\w.-]+", repository):
            raise GitHubError(f"repository {repository!r} is not owner/name: set GITHUB_REPOSITORY or --repo")
        if urlsplit(api_url).scheme not in ("https", "http") or not urlsplit(api_url).netloc:
            raise GitHubError(f"API address {api_url!r} is not an http(s) URL: check GITHUB_API_URL")
        self.api_url = api_url.rstrip("/") + "/"
        self.token = token
        self.repository = repository

    def _on_the_api(self, url: str) -> str:
        """`url`, when it is on the API's own origin: the token goes nowhere else."""
        if _origin(url) != _origin(self.api_url):
            raise GitHubError(f"the next page is not on {'://'.join(_origin(self.api_url))}: {url[:200]}")
        return url

    def _request(self, url: str):
        request = urllib.request.Request(url, headers={
            "Accept": "application/vnd.github+json", "Authorization": f"Bearer {self.token}",
            "X-GitHub-Api-Version": API_VERSION, "User-Agent": "smm-approvals"})
        try:
            with _OPENER.open(request, timeout=TIMEOUT) as response:
                body = response.read()
                link = response.headers.get("Link", "")
        except urllib.error.HTTPError as error:
            raise GitHubError(_http_problem(error)) from None
        except (urllib.error.URLError, TimeoutError, OSError) as error:
            raise GitHubError(f"cannot reach {url}: {getattr(error, 'reason', error)}") from None
        try:
            return json.loads(body), link
        except (ValueError, UnicodeDecodeError):
            raise GitHubError(f"{url} did not answer with JSON") from None

    def get(self, path: str) -> dict:
        data, _ = self._request(urljoin(self.api_url, path.lstrip("/")))
        if not isinstance(data, dict):
            raise GitHubError(f"{path}: expected a JSON object")
        return data

    def get_all(self, path: str) -> list:
        """Every item of a paginated list endpoint, following the Link header."""
        url = urljoin(self.api_url, path.lstrip("/")) + ("&" if "?" in path else "?") + "per_page=100"
        items = []
        for _ in range(MAX_PAGES):
            data, link = self._request(url)
            if not isinstance(data, list):
                raise GitHubError(f"{path}: expected a JSON list")
            items.extend(data)
            match = _NEXT.search(link or "")
            if not match:
                return items
            url = self._on_the_api(match.group(1))
        raise GitHubError(f"{path}: more than {MAX_PAGES} pages")

    def pull_request(self, number: int) -> dict:
        return self.get(f"repos/{self.repository}/pulls/{number}")

    def pull_files(self, number: int) -> list:
        return self.get_all(f"repos/{self.repository}/pulls/{number}/files")

    def pull_reviews(self, number: int) -> list:
        return self.get_all(f"repos/{self.repository}/pulls/{number}/reviews")

    def pull_commits(self, number: int) -> list:
        return self.get_all(f"repos/{self.repository}/pulls/{number}/commits")


def _http_problem(error) -> str:
    headers = error.headers or {}
    if error.code in (403, 429) and (headers.get("x-ratelimit-remaining") == "0" or headers.get("retry-after")):
        reset = headers.get("x-ratelimit-reset") or headers.get("retry-after") or "unknown"
        return f"rate limited by GitHub (HTTP {error.code}); try again after {reset}"
    try:
        message = json.loads(error.read() or b"{}").get("message", "")
    except (ValueError, AttributeError):
        message = ""
    return f"GitHub answered HTTP {error.code} for {error.url}" + (f": {message}" if message else "")
