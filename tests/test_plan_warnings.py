"""``lapgen validate``'s planner warnings (``planner.lint.plan_warnings``) are exactly the
warnings ``build_plan`` gives, in the same order, and it fails exactly where ``build_plan``
fails: on every spec of the corpus, the fixtures and Stytch, and on drawn specs made to clash
(method names, ``_pages`` iterators, model names, params that cannot be headers, bad configs).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator import ir
from generator.config import Config, find_config, load_config
from generator.errors import LapgenError
from generator.frontend import read_spec
from generator.inputs import read_inputs
from generator.pipeline import planner_warnings
from generator.plan import PlanError, build_plan
from generator.planner.lint import plan_warnings

ROOT = Path(__file__).resolve().parents[1]
SPECS = sorted(
    [
        *(ROOT / "tests" / "corpus").glob("*.lap"),
        *(ROOT / "tests" / "fixtures").glob("*.lap"),
        ROOT / "spec" / "stytch.lap",
    ]
)


def _outcome(run: object) -> tuple[str, object]:
    """What a call gave: its warnings as data, or the class and text of what it raised."""
    try:
        return "ok", run()  # type: ignore[operator]
    except (LapgenError, PlanError) as error:
        diagnostics = getattr(error, "diagnostics", None)
        return type(error).__name__, (str(error), diagnostics and list(diagnostics))


def _both(api: ir.API, config: Config) -> tuple[tuple[str, object], tuple[str, object]]:
    built = _outcome(lambda: build_plan(api, config, spec_name="t.lap", spec_bytes=b"").warnings)
    return built, _outcome(lambda: plan_warnings(api, config))


@pytest.mark.parametrize("spec", SPECS, ids=lambda path: path.name)
def test_the_warnings_of_every_known_spec_are_build_plans(spec: Path) -> None:
    result = read_spec(spec.read_bytes())
    if result.api is None:
        pytest.skip("not a valid spec")
    config = load_config(find_config(spec))
    built, linted = _both(result.api, config)
    assert linted == built


def test_validate_reports_the_planners_warnings_for_stytch() -> None:
    spec = ROOT / "spec" / "stytch.lap"
    data = spec.read_bytes()
    api = read_spec(data).api
    assert api is not None
    plan = build_plan(api, load_config(find_config(spec)), spec_name=spec.name, spec_bytes=data)
    assert planner_warnings(read_inputs(spec, None), api) == plan.warnings


# -- drawn specs, made to clash ---------------------------------------------------------------

SEGMENTS = ["users", "user", "items", "list_pages", "search", "{id}", "{user id}"]
DESCS = [None, "List", "List pages", "Get", "Search users", "Create a user", "listPages"]
FIELD_NAMES = ["id", "cursor", "cursor", "limit", "name", "user id", "a.b", "next_cursor"]
TYPES = [
    "str",
    "int?",
    "map{a: str}",
    "map{a: int}",
    "[map{a: str}]",
    "Thing",
    "[Thing]",
    "map<str, map{b: str}>",
    "str(a/b)",
]
RETURNS = [
    None,
    "@returns(200) {next_cursor: str?, data: [map{a: str}]}",
    "@returns(200) {next_cursor: str, data: [map{a: int}]}",
    "@returns(200) {data: map{next_cursor: str}, items: [map{a: int}]}",
    "@returns(200) {id: str, user: map{a: str}}",
    "@returns(200) → Thing",
    "@returns(200) → [Thing]",
    "@returns(204)",
]

fields = st.lists(st.tuples(st.sampled_from(FIELD_NAMES), st.sampled_from(TYPES)), max_size=3).map(
    lambda drawn: ", ".join(f"{name}: {kind}" for name, kind in drawn)
)


@st.composite
def endpoints(draw: st.DrawFn) -> str:
    method = draw(st.sampled_from(["GET", "POST", "DELETE", "PUT"]))
    path = "/" + "/".join(draw(st.lists(st.sampled_from(SEGMENTS), min_size=1, max_size=2)))
    lines = [f"@endpoint {method} {path}"]
    desc = draw(st.sampled_from(DESCS))
    if desc is not None:
        lines.append(f"@desc {desc}")
    for directive in ("@required", "@optional"):
        if draw(st.booleans()):
            lines.append(f"{directive} {{{draw(fields)}}}")
    returns = draw(st.sampled_from(RETURNS))
    if returns is not None:
        lines.append(returns)
    return "\n".join(lines)


@st.composite
def specs(draw: st.DrawFn) -> str:
    header = [
        "@lap v0.3",
        "@api Drawn API",
        f"@base {draw(st.sampled_from(['https://api.example.test', 'not a url']))}",
        f"@version {draw(st.sampled_from(['1.0', 'v2 beta', '2024-01-01']))}",
    ]
    if draw(st.booleans()):
        header.append(f"@type Thing {{{draw(fields)}}}")
    body = draw(st.lists(endpoints(), min_size=1, max_size=8))
    return "\n".join([*header, *body, "@end", ""])


CONFIGS = st.sampled_from(
    [
        Config(),
        Config(response_fields="present"),
        Config(model_names=(("users.get", "Fetched"), ("no.such/place", "Nowhere"))),
        Config(model_names=(("type:Thing", "UserList"),)),
        # A param placed in a header it cannot name (PlanError), maybe after a bad model name.
        Config(placements=(("GET /users", (("user id", "header"),)),)),
        Config(
            placements=(("POST /users", (("user id", "header"),)),),
            model_names=(("no.such/place", "Nowhere"),),
        ),
    ]
)


@given(specs(), CONFIGS)
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_the_warnings_of_drawn_specs_are_build_plans(text: str, config: Config) -> None:
    result = read_spec(text)
    if result.api is None:
        return
    built, linted = _both(result.api, config)
    assert linted == built


PAGES = """@lap v0.3
@api Pages API
@endpoint GET /users
@desc List
@optional {cursor: str}
@returns(200) {next_cursor: str?, data: [map{a: str}]}
@endpoint POST /users
@desc List pages
@endpoint GET /items
@desc List
@optional {cursor: str}
@returns(200) {data: map{next_cursor: str}}
@endpoint GET /items/list_pages
@end
"""


def test_a_taken_pages_name_is_warned_about_as_generate_does() -> None:
    api = read_spec(PAGES).api
    assert api is not None
    built, linted = _both(api, Config())
    assert linted == built
    assert [w.message for w in linted[1]] == [  # type: ignore[union-attr]
        "items.list_pages is taken, so items.list has no iterator",
        "users.list_pages is taken, so users.list has no iterator",
    ]


BAD_HEADER = """@lap v0.3
@api Header API
@endpoint GET /users
@optional {user id: str, thing: map{a: str}}
@end
"""


@pytest.mark.parametrize("first", ["user id", "thing"])
def test_the_first_failure_wins_as_in_generate(first: str) -> None:
    """A param that cannot be a header fails before the models are named (with their bad
    config key) only when no earlier annotation named them."""
    text = (
        BAD_HEADER
        if first == "user id"
        else BAD_HEADER.replace(
            "user id: str, thing: map{a: str}", "thing: map{a: str}, user id: str"
        )
    )
    api = read_spec(text).api
    assert api is not None
    config = Config(
        placements=(("GET /users", (("user id", "header"),)),),
        model_names=(("no.such/place", "Nowhere"),),
    )
    built, linted = _both(api, config)
    assert linted == built
    assert built[0] == ("PlanError" if first == "user id" else "ConfigError")
