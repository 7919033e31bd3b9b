"""Posts written to make the check try too hard, or fail, get findings like any other post: at once,
with a short message, never a hang or an internal error.

Most copy cases once made one of the check's patterns try every place of a long run again from
each place in it (time growing with the run's square or cube: minutes to hours for the 300,000
characters here, where a post may hold 1,000,000 bytes); run_smm gives up after 120 s. Two give a
finding on each line or word: placing each in the copy took time growing with the square of the
copy (22 s for 900,000 characters; not a hang, so not what fails here: tests/test_findings.py holds
the placing to what it was). The front matter cases hold values as long as a file: a media path
the system refuses to look up (an internal error), values each finding's message quoted whole, and
20,000 unknown keys, each placed by a search from the start of the front matter (16 s for 50,000).
"""
from __future__ import annotations

import json

import pytest
from benchmarks.hostile import SHAPES
from conftest import copy_sample, run_smm, write

from smm.findings import SHOWN, shortened

RUN = 300_000
LONG = "v" * 100_000
OVER_LIMITS = {"limit.x.length", "limit.bluesky.length", "limit.mastodon.length", "limit.linkedin.length"}

# name -> (front matter lines after title, status and platforms; copy; rules the post must be reported for)
HOSTILE_POSTS = {
    **{name: ("", shape(RUN), OVER_LIMITS) for name, shape in SHAPES.items()},    # benchmarks/hostile.py's copy
    "many-voice-findings": ("", SHAPES["many-voice-findings"](RUN), {"voice.Kelda.Hype"} | OVER_LIMITS),
    "many-bad-links": ("", SHAPES["many-bad-links"](RUN), {"link.scheme"} | OVER_LIMITS),
    "long-media-path": (f"media:\n  - path: {LONG}.jpg\n    alt: a\n", "Copy.", {"media.missing"}),
    "long-publish-at": (f'publish_at: "{LONG}"\n', "Copy.", {"time.invalid"}),
    "long-platform": (f"variants:\n  {LONG[:1000]}: text\n", "Copy.", {"platform.unknown"}),
    "long-campaign": (f"campaign: {LONG}\n", "Copy.", {"ref.campaign"}),
    "long-status": ("", "Copy.", {"schema.enum"}),
    "many-unknown-keys": ("".join(f"k{i}: {i}\n" for i in range(20_000)), "Copy.", {"schema.unknown-key"}),
}


def _post(name: str, front: str, copy: str) -> str:
    status = LONG if name == "long-status" else "draft"
    return f"---\ntitle: {name}\nstatus: {status}\nplatforms: [x, bluesky, mastodon, linkedin]\n{front}---\n{copy}\n"


@pytest.fixture(scope="module", params=["cold", "first run", "warm"])
def checked(request, tmp_path_factory):
    """A repository of the sample brand with each hostile post, checked: without the cache, with an
    empty one, and with the cache of a run before."""
    root = copy_sample(tmp_path_factory.mktemp("hostile") / "sample")
    for name, (front, copy, _) in HOSTILE_POSTS.items():
        write(root, f"content/posts/2027/01/01-{name}.md", _post(name, front, copy))
    args = ["check", "--format", "json"] + (["--no-cache"] if request.param == "cold" else [])
    env = {"SMM_CACHE_DIR": str(tmp_path_factory.mktemp("cache"))}
    if request.param == "warm":
        run_smm(*args, cwd=root, env=env)
    result = run_smm(*args, cwd=root, env=env)
    assert result.returncode == 1, result.stderr
    return json.loads(result.stdout)["findings"]


@pytest.mark.parametrize("name", HOSTILE_POSTS)
def test_a_hostile_post_gets_its_findings_with_short_messages(checked, name):
    path = f"content/posts/2027/01/01-{name}.md"
    about = [finding for finding in checked if finding["path"] == path]
    assert HOSTILE_POSTS[name][2] <= {finding["rule"] for finding in about}
    assert all(len(finding["message"]) < 4 * SHOWN and len(finding["hint"]) < 6 * SHOWN for finding in about)


def test_a_value_quoted_in_a_message_is_cut_when_long():
    value = "x" * (SHOWN + 1)
    assert shortened(f'unknown key "{value}" in "a"') == f'unknown key "{"x" * (SHOWN - 1)}…" in "a"'
    assert shortened(f'"{value[:-1]}" is fine') == f'"{value[:-1]}" is fine'
    assert shortened(f'"a" and {value} then "b"') == f'"a" and {value} then "b"'      # only what is quoted
    assert shortened(f'an open quote "{value}') == f'an open quote "{value}'
    word = "w" * (3 * SHOWN + 1)
    assert shortened(f"Create {word}.md now") == f"Create {word[:3 * SHOWN - 1]}… now"
    assert shortened(f"Create {word[:3 * SHOWN]} now") == f"Create {word[:3 * SHOWN]} now"
