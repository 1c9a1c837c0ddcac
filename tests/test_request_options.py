"""Per-call options are ``**options: Unpack[RequestOptions]``: typed for the user's type checker.

One ``mypy --strict`` run over a script using the small ``corners`` golden SDK: the right
uses type-check (sync, async, pages, raw responses, return types), and exactly the lines
marked ``# error`` fail: a misspelt option, an option of the wrong type, a parameter the
method does not have.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from regenerate import GOLDEN

SCRIPT = """\
from collections.abc import Iterator

from corner_cases_api import AsyncClient, Client, models
from corner_cases_api._response import APIResponse

client = Client(api_key="k")
found: models.WidgetsSearchResponse = client.widgets.search(
    limit=1, timeout=5.0, total_timeout=None, extra_headers={"x-trace": "1"}
)
pages: Iterator[models.WidgetsSearchResponse] = client.widgets.search_pages(limit=1, timeout=None)
raw: APIResponse[models.WidgetsSearchResponse] = client.widgets.with_raw_response.search(
    total_timeout=2.0
)
client.widgets.delete("w1", hard=True, extra_headers=None)


async def use(a: AsyncClient) -> models.WidgetsSearchResponse:
    async for page in a.widgets.search_pages(total_timeout=3.0):
        print(page.results_metadata)
    return await a.widgets.search(limit=2, timeout=1.0)


client.widgets.search(timout=5.0)  # error
client.widgets.search(timeout="5 s")  # error
client.widgets.search_pages(cursor="c")  # error
client.widgets.delete("w1", extra_header={})  # error
wrong: models.NewWidget = client.widgets.search()  # error


async def typo(a: AsyncClient) -> None:
    await a.widgets.search(totaltimeout=1.0)  # error
"""


def test_options_are_typed_and_a_misspelt_option_is_an_error(tmp_path: Path) -> None:
    script = tmp_path / "use_options.py"
    script.write_text(SCRIPT, "utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", str(script)],
        cwd=tmp_path,
        env={"MYPYPATH": str(GOLDEN / "corners"), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    failing = {int(n) for n in re.findall(r"use_options\.py:(\d+): error", result.stdout)}
    marked = {n for n, line in enumerate(SCRIPT.splitlines(), 1) if line.endswith("# error")}
    assert failing == marked, result.stdout
