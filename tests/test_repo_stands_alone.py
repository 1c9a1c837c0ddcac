"""The repository stands alone: no test, benchmark or session reads anything beside the clone.

CI happens to have the workplace's shared folder next to the checkout, so a test that read it
would pass there and fail in a user's fresh clone; this guards against that.
"""

from __future__ import annotations

import re

from conftest import SAMPLES_DIR, SPEC_FILES
from regenerate import REPO

# The sibling shared folder by a relative path or by `parent`, `parents[2]`, or an absolute
# workplace path: ways of reaching outside the clone.
OUTSIDE = re.compile(r"\.\./shared|parent\s*/\s*[\"']shared|\.parents\[[2-9]\]|/work/")


def test_nothing_reaches_outside_the_clone() -> None:
    sources = [
        *REPO.glob("tests/*.py"),
        *REPO.glob("benchmarks/*.py"),
        REPO / "noxfile.py",
        REPO / ".ci" / "run",
    ]
    offenders = [
        f"{path.relative_to(REPO)}:{number}: {line.strip()}"
        for path in sources
        if path != REPO / "tests" / "test_repo_stands_alone.py"
        for number, line in enumerate(path.read_text("utf-8").splitlines(), start=1)
        if OUTSIDE.search(line)
    ]
    assert not offenders, offenders


def test_the_real_lap_files_are_in_the_repo_with_their_origin() -> None:
    assert SAMPLES_DIR.is_relative_to(REPO)
    assert all(path.is_relative_to(REPO) for path in SPEC_FILES)
    corpus = sorted(SAMPLES_DIR.glob("*.lap"))
    assert len(corpus) >= 20
    readme = (SAMPLES_DIR / "README.md").read_text("utf-8")
    prefixes = {path.name.split("-", 1)[0] for path in corpus}
    assert all(f"`{prefix}-" in readme for prefix in prefixes), prefixes
