"""Print an nbgitpuller link that opens an ecgteach lesson on a JupyterHub.

Usage::

    python scripts/nbgitpuller_link.py --hub https://hub.example.edu --lesson 02
"""

from __future__ import annotations

import argparse
from pathlib import Path
from urllib.parse import quote, urlencode

REPO_URL = "https://github.com/ecgteach/ecgteach"
LESSONS = Path(__file__).resolve().parents[1] / "lessons"


def lesson_file(number: str) -> str:
    """The lesson notebook whose name starts with ``number`` (e.g. "02")."""
    matches = sorted(p.name for p in LESSONS.glob(f"{int(number):02d}_*.ipynb"))
    if not matches:
        raise SystemExit(f"no lesson {number!r} in {LESSONS}")
    return matches[0]


def link(hub: str, lesson: str, repo: str = REPO_URL, branch: str = "main",
         interface: str = "lab") -> str:
    """The nbgitpuller URL: clone/pull ``repo`` into the user's home, open the lesson."""
    folder = repo.rstrip("/").rsplit("/", 1)[-1]
    target = f"{interface}/tree/{folder}/lessons/{lesson}"
    query = urlencode({"repo": repo, "branch": branch, "urlpath": target}, quote_via=quote,
                      safe="")
    return f"{hub.rstrip('/')}/hub/user-redirect/git-pull?{query}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hub", required=True, help="the JupyterHub's base URL")
    parser.add_argument("--lesson", default="01", help="lesson number (default 01)")
    parser.add_argument("--repo", default=REPO_URL)
    parser.add_argument("--branch", default="main")
    args = parser.parse_args()
    print(link(args.hub, lesson_file(args.lesson), args.repo, args.branch))


if __name__ == "__main__":
    main()
