"""The install: every package pyproject.toml asks for is pinned in constraints.txt, at a version it
allows, and everything that installs (make, the workflows) installs with those pins."""
from __future__ import annotations

import re
import tomllib

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from conftest import PROJECT


def pins() -> dict[str, str]:
    found = {}
    for line in (PROJECT / "constraints.txt").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, version = line.partition("==")
            assert version, f"not pinned to one version: {line!r}"
            found[canonicalize_name(name)] = version.strip()
    return found


def requirements() -> list[Requirement]:
    project = tomllib.loads((PROJECT / "pyproject.toml").read_text())["project"]
    wanted = project["dependencies"] + [r for extra in project["optional-dependencies"].values() for r in extra]
    return [Requirement(r) for r in wanted]


def test_every_requirement_is_pinned_where_pyproject_allows():
    pinned = pins()
    for requirement in requirements():
        name = canonicalize_name(requirement.name)
        assert name in pinned, f"{requirement.name} is not in constraints.txt: run make lock"
        assert requirement.specifier.contains(pinned[name]), \
            f"{requirement.name}=={pinned[name]} is outside {requirement.specifier}: run make lock"


def test_make_and_every_workflow_install_with_the_pins():
    installers = [PROJECT / "Makefile", *sorted((PROJECT / ".github" / "workflows").glob("*.yml"))]
    installs = {}
    for path in installers:
        lines = [line.strip() for line in path.read_text().splitlines()
                 if re.search(r"pip install\b.*(-e|\[test\])", line) and "$(VENV)-lock" not in line]
        installs[path.name] = lines
        for line in lines:
            assert "-c constraints.txt" in line, f"{path.name} installs without the pins: {line}"
    assert installs["Makefile"] and installs["check.yml"] and installs["pages.yml"]
