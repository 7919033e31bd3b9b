"""The floor: read every post and parse its front matter with LibYAML, nothing else.

    python -m benchmarks.floor ROOT
"""
from __future__ import annotations

import os
import sys

import yaml


def main(root: str) -> int:
    count = 0
    for dirpath, _, names in os.walk(os.path.join(root, "content", "posts")):
        for name in names:
            if not name.endswith(".md"):
                continue
            with open(os.path.join(dirpath, name), encoding="utf-8") as handle:
                text = handle.read()
            front = text.split("---\n", 2)[1]
            yaml.load(front, Loader=yaml.CSafeLoader)
            count += 1
    print(f"parsed {count} files")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
