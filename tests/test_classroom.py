"""Classroom plumbing that can be tested here: nbgitpuller links, README commands."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlparse

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "scripts"))
from nbgitpuller_link import lesson_file, link


def test_nbgitpuller_link_opens_the_lesson_in_lab():
    url = link("https://hub.example.edu/", lesson_file("2"))
    parsed = urlparse(url)
    assert parsed.netloc == "hub.example.edu"
    assert parsed.path == "/hub/user-redirect/git-pull"
    query = parse_qs(parsed.query)
    assert query["repo"] == ["https://github.com/ecgteach/ecgteach"]
    assert query["branch"] == ["main"]
    target = query["urlpath"][0]
    assert target == "lab/tree/ecgteach/lessons/02_why_the_regression_fails.ipynb"
    assert (REPO / target.split("ecgteach/", 1)[1]).is_file()


def test_readme_link_example_matches_the_script():
    readme = (REPO / "README.md").read_text()
    example = re.search(r"https://<your-hub>/hub/user-redirect/git-pull\?\S+", readme).group(0)
    assert example == link("https://<your-hub>", lesson_file("1"))


def test_readme_has_exactly_the_two_setup_commands():
    readme = (REPO / "README.md").read_text()
    setup = readme.split("## Set up", 1)[1].split("##", 1)[0]
    block = re.search(r"```bash\n(.*?)```", setup, re.DOTALL).group(1)
    commands = [line.split("#")[0].strip() for line in block.splitlines() if line.strip()]
    assert commands == ["make lab", "make test"]
    ci = (REPO / ".ci" / "run").read_text()
    assert "make test" in ci and "make lab" not in ci.replace("make lab is never", "")


def test_binder_badge_points_at_the_lessons():
    readme = (REPO / "README.md").read_text()
    assert "mybinder.org/v2/gh/ecgteach/ecgteach/main?urlpath=lab/tree/lessons" in readme
