"""Names: an endpoint in, its accessor out (README "Resources" and "Methods").

Each case is a tiny LAP spec planned for real; the table is the documented rule.
"""

from __future__ import annotations

import keyword
import re
from pathlib import Path
from typing import Any

import pytest
from conftest import STYTCH
from hypothesis import given, settings
from hypothesis import strategies as st
from regenerate import REPO

from generator import errors, names
from generator.cli import exit_code
from generator.cli import main as cli_main
from generator.config import Config, load_config
from generator.frontend import read_spec
from generator.naming import api_name, numbered_class
from generator.pipeline import load
from generator.plan import Plan, build_plan
from generator.planner.resource_names import resource_class_names


def lap(*endpoints: tuple[str, str, str]) -> bytes:
    """A spec from (METHOD, PATH, DESC) triples; path params are declared required."""
    lines = ["@lap v0.3", "@api Names", f"@endpoints {len(endpoints)}", ""]
    for method, path, desc in endpoints:
        lines.append(f"@endpoint {method} {path}")
        if desc:
            lines.append(f"@desc {desc}")
        params = re.findall(r"\{([^{}]+)\}", path)
        if params:
            lines.append("@required {" + ", ".join(f"{p}: str" for p in params) + "}")
        lines.append("@returns(200) ok")
        lines.append("")
    lines.append("@end")
    return "\n".join(lines).encode() + b"\n"


def plan_of(text: bytes, config: Config | None = None) -> Plan:
    result = read_spec(text)
    assert result.api is not None, [d.message for d in result.diagnostics]
    return build_plan(result.api, config or Config(), spec_name="t.lap", spec_bytes=text)


def accessors(text: bytes, config: Config | None = None) -> dict[str, str]:
    return {f"{m.http_method} {m.path}": m.accessor for m in plan_of(text, config).all_methods()}


CASES = [
    # Version-like prefixes are not resources.
    (("GET", "/v1/users", ""), "users.list"),
    (("GET", "/v1.1/users", ""), "users.list"),
    (("GET", "/2/tweets", ""), "tweets.list"),
    (("GET", "/api/v2/teams", ""), "teams.list"),
    (("GET", "/rest/api/3/issue/{issueIdOrKey}", ""), "issue.get"),
    (("GET", "/2010-04-01/Accounts/{Sid}/Calls", ""), "accounts.calls.list"),
    (("GET", "/rest/tickets", ""), "rest.tickets.list"),  # `rest` alone may be a resource
    # Collection GET is `list`, item GET is `get`, even when a summary says `Get`.
    (("GET", "/goals", "Get goals"), "goals.list"),
    (("GET", "/goals/{goal_gid}", "Get a goal"), "goals.get"),
    # Dotted RPC paths split into resource and method; file extensions are dropped.
    (("POST", "/chat.postMessage", "Sends a message."), "chat.post_message"),
    (("GET", "/api/admin.users.list", ""), "admin.users.list"),
    (("GET", "/2/users/{id}/messages.json", ""), "users.messages.list"),
    (("GET", "/v1/reports/{id}.csv", ""), "reports.get"),
    (("GET", "/files/v2.1", ""), "files.v2_1.list"),  # a version, not `v2` + method `1`
    (("GET", "/api/v1", ""), "default.list"),  # nothing but a version: no resource
    # Action segments are methods of their resource, whatever the HTTP verb.
    (("DELETE", "/projects/{id}/deploy_keys/{key_id}/disable", "Disable a key for x"), None),
    (("POST", "/projects/{id}/archive", "Archive a project"), "projects.archive"),
    (("POST", "/repos/{o}/{r}/pulls/{n}/merge", ""), "repos.pulls.merge"),
    (("GET", "/users/{id}/repos", ""), "users.repos.list"),  # a sub-collection, not an action
    # A one-word run-together desc is the method name (Stytch), split by the spec's words.
    (("GET", "/v1/sessions", "Get"), "sessions.get"),
    (("POST", "/v1/clients/{id}/secrets/rotate/start", "Rotatestart"), None),
]


@pytest.mark.parametrize(("endpoint", "expected"), CASES, ids=[c[0][1] for c in CASES])
def test_single_endpoint_names(endpoint: tuple[str, str, str], expected: str | None) -> None:
    expected = (
        expected
        or {
            "/projects/{id}/deploy_keys/{key_id}/disable": "projects.deploy_keys.disable",
            "/v1/clients/{id}/secrets/rotate/start": "clients.secrets.rotate_start",
        }[endpoint[1]]
    )
    assert accessors(lap(endpoint)) == {f"{endpoint[0]} {endpoint[1]}": expected}


def test_crud_on_one_resource_needs_no_numbers() -> None:
    text = lap(
        ("GET", "/goals", "Get goals"),
        ("POST", "/goals", "Create a goal"),
        ("GET", "/goals/{gid}", "Get a goal"),
        ("PUT", "/goals/{gid}", "Update a goal"),
        ("PATCH", "/goals/{gid}", "Update a goal"),
        ("DELETE", "/goals/{gid}", "Delete a goal"),
    )
    plan = plan_of(text)
    assert sorted(m.accessor for m in plan.all_methods()) == [
        "goals.create",
        "goals.delete",
        "goals.get",
        "goals.list",
        "goals.replace",
        "goals.update",
    ]
    assert plan.warnings == ()


def test_one_word_descs_that_clash_fall_back_to_verbs() -> None:
    text = lap(("GET", "/things", "Get"), ("GET", "/things/{id}", "Get"))
    assert sorted(accessors(text).values()) == ["things.get", "things.list"]


def test_item_routes_that_still_clash_say_which_param_they_take() -> None:
    text = lap(
        ("GET", "/contacts/{id}", "Get"),
        ("GET", "/contacts/{email}", "Get"),
        ("GET", "/widgets/{id}", ""),
        ("GET", "/widgets/{id}/{revision}", ""),
    )
    plan = plan_of(text)
    assert sorted(m.accessor for m in plan.all_methods()) == [
        "contacts.get",
        "contacts.get_by_email",
        "widgets.get",
        "widgets.get_by_revision",
    ]
    assert plan.warnings == ()


# Prose descs: longer than a method name, so they cannot name the variants apart.
PROSE = (
    "Find every person whose name matches the query string",
    "Find every place whose name matches the query string",
)


def test_variants_are_named_from_a_short_desc_before_any_suffix() -> None:
    text = lap(
        ("POST", "/search", "Find people by name"), ("POST", "/search", "Find places by name")
    )
    plan = plan_of(text)
    assert sorted(m.accessor for m in plan.all_methods()) == [
        "search.find_people_by_name",
        "search.find_places_by_name",
    ]
    assert plan.warnings == ()


def test_a_numeric_suffix_is_a_last_resort_and_names_the_config_key() -> None:
    plan = plan_of(lap(("POST", "/search", PROSE[0]), ("POST", "/search", PROSE[1])))
    names_ = sorted(m.name for m in plan.all_methods())
    assert names_ == ["create", "create_2"]
    (warning,) = plan.warnings
    assert '[endpoints."POST /search"] accessor' in warning.message


def test_the_cli_prints_the_suffix_warning(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = tmp_path / "t.lap"
    spec.write_bytes(lap(("POST", "/search", PROSE[0]), ("POST", "/search", PROSE[1])))
    assert cli_main(["generate", str(spec), "-o", str(tmp_path / "out")]) == 0
    err = capsys.readouterr().err
    assert "search.create is taken" in err and '[endpoints."POST /search"] accessor' in err


RESOURCE = st.sampled_from(["goals", "users", "teams", "invoices", "line_items", "tasks"])
PREFIX = st.sampled_from(["", "/v1", "/v2.1", "/api", "/api/v3", "/rest/api/3", "/2"])
VERBS = st.sets(
    st.sampled_from(["GET c", "POST c", "GET i", "PUT i", "PATCH i", "DELETE i"]), min_size=1
)
SUMMARY = {"GET": "Get {r}", "POST": "Create {r}", "PUT": "Update {r}", "PATCH": "Update {r}"}


@settings(max_examples=60, deadline=None)
@given(RESOURCE, PREFIX, VERBS, st.booleans())
def test_rest_routes_get_distinct_unnumbered_names_without_version_resources(
    resource: str, prefix: str, verbs: set[str], with_summaries: bool
) -> None:
    endpoints = []
    for verb in sorted(verbs):
        method, shape = verb.split()
        path = f"{prefix}/{resource}" + ("/{id}" if shape == "i" else "")
        desc = SUMMARY.get(method, "Delete {r}").format(r=resource) if with_summaries else ""
        endpoints.append((method, path, desc))
    plan = plan_of(lap(*endpoints))
    got = [m.accessor for m in plan.all_methods()]
    assert len(set(got)) == len(got)
    assert plan.warnings == ()
    for accessor in got:
        *resource_path, method_name = accessor.split(".")
        assert resource_path == [resource]
        assert not re.search(r"_\d+$", method_name)


WORD = st.one_of(st.from_regex(r"[a-z]{1,8}", fullmatch=True), st.sampled_from(["api", "rest"]))


@given(st.lists(WORD, min_size=1, max_size=4), PREFIX)
def test_version_prefixes_never_reach_the_route(parts: list[str], prefix: str) -> None:
    statics = list(names.route(prefix + "/" + "/".join(parts)).statics)
    dropped = len(parts) - len(statics)
    # Only a leading run of API words goes, and what stays does not start with one.
    assert dropped >= 0 and statics == parts[dropped:]
    assert all(part in ("api", "apis", "rest") for part in parts[:dropped])
    assert not statics or statics[0] not in ("api", "apis")
    assert statics[:2] != ["rest", "api"]


# -- config renames ------------------------------------------------------------------------


def write(tmp_path: Path, spec: bytes, toml: str) -> Path:
    (tmp_path / "t.lap").write_bytes(spec)
    (tmp_path / "t.toml").write_text(toml)
    return tmp_path / "t.lap"


RENAME_SPEC = lap(
    ("POST", "/v1/rules/set", "Set"),
    ("GET", "/v1/projects/metrics", "Metrics"),
    ("GET", "/v1/projects/{id}", "Get"),
    ("POST", "/v1/projectsx", "Get"),
    ("POST", "/v1/projects/{id}/keys/rotate", "Rotate"),
)


def test_group_and_path_prefixes_rename_resources(tmp_path: Path) -> None:
    spec = write(
        tmp_path,
        RENAME_SPEC.replace(
            b"@endpoint POST /v1/rules", b"@group rules\n@endpoint POST /v1/rules"
        ).replace(
            b"@endpoint GET /v1/projects/metrics", b"@endgroup\n@endpoint GET /v1/projects/metrics"
        ),
        '[groups.rules]\naccessor_prefix = "fraud"\n'
        '[accessor_prefixes]\n"/v1/projects" = "project"\n',
    )
    got = {f"{m.http_method} {m.path}": m.accessor for m in load(spec).plan.all_methods()}
    assert got == {
        "POST /v1/rules/set": "fraud.rules.set",
        "GET /v1/projects/metrics": "project.metrics",
        "GET /v1/projects/{id}": "project.get",
        "POST /v1/projectsx": "projectsx.get",  # a prefix ends at a segment boundary
        "POST /v1/projects/{id}/keys/rotate": "project.keys.rotate",
    }


@pytest.mark.parametrize(
    ("toml", "key"),
    [
        (
            '[endpoints."GET /v1/projects/{id}"]\naccessor = "projects.metrics"\n',
            'endpoints."GET /v1/projects/{id}".accessor',
        ),
        ('[accessor_prefixes]\n"/v1/nowhere" = "x"\n', "accessor_prefixes.'/v1/nowhere'"),
        ('[accessor_prefixes]\n"/v1/projects" = "Not-Valid"\n', "accessor_prefixes.'/v1/projects'"),
        ('[groups.nothing]\naccessor_prefix = "fraud"\n', "groups.nothing.accessor_prefix"),
        # A prefix that lands one endpoint on another's name.
        (
            '[accessor_prefixes]\n"/v1/projectsx" = "projects"\n',
            "accessor_prefixes.'/v1/projectsx'",
        ),
        # A method named like a resource would be moved into it: refused, not ignored.
        (
            '[endpoints."POST /v1/projectsx"]\naccessor = "projects.keys"\n',
            'endpoints."POST /v1/projectsx".accessor',
        ),
    ],
)
def test_bad_renames_are_config_errors_naming_file_and_key(
    tmp_path: Path, toml: str, key: str
) -> None:
    spec = write(tmp_path, RENAME_SPEC, toml)
    with pytest.raises(errors.ConfigError) as caught:
        load(spec)
    assert exit_code(caught.value) == 2
    message = str(caught.value)
    assert message.startswith(f"{tmp_path / 't.toml'}: error: {key}"), message


# -- Stytch against the official SDK -------------------------------------------------------

OFFICIAL = REPO / "tests" / "fixtures" / "stytch_official_accessors.tsv"


def official_accessors() -> dict[str, str]:
    rows = [line.split("\t") for line in OFFICIAL.read_text().splitlines()]
    return {route: accessor for route, accessor in (r for r in rows if not r[0].startswith("#"))}


def test_stytch_accessors_match_the_official_sdk() -> None:
    official = official_accessors()
    plan = load(STYTCH, load_config_path := STYTCH.with_suffix(".toml")).plan
    assert load_config(load_config_path).accessors  # the config is what closes the gap
    ours = {f"{m.http_method} {m.path}": m.accessor for m in plan.all_methods()}
    assert set(ours) == set(official) and len(official) == 184
    same_method = sum(ours[r].rsplit(".", 1)[-1] == official[r].rsplit(".", 1)[-1] for r in ours)
    same_accessor = sum(ours[r] == official[r] for r in ours)
    assert (same_method, same_accessor) == (184, 184)


def test_without_its_config_stytch_differs_only_where_the_spec_cannot_tell() -> None:
    official = official_accessors()
    result = read_spec(STYTCH.read_bytes())
    assert result.api is not None
    bare = build_plan(result.api, Config(), spec_name="stytch.lap", spec_bytes=b"")
    ours = {f"{m.http_method} {m.path}": m.accessor for m in bare.all_methods()}
    same_method = sum(ours[r].rsplit(".", 1)[-1] == official[r].rsplit(".", 1)[-1] for r in ours)
    same_accessor = sum(ours[r] == official[r] for r in ours)
    assert same_method >= 183 and same_accessor >= 160


# -- a spec lapsh compiled from OpenAPI ------------------------------------------------------

COMPILED = REPO / "tests" / "corpus" / "lapsh-names-placement.lap"
COMPILED_ACCESSORS = {
    "GET /rest/api/3/goals": "goals.list",
    "POST /rest/api/3/goals": "goals.create",
    "GET /rest/api/3/goals/{goal_gid}": "goals.get",
    "PUT /rest/api/3/goals/{goal_gid}": "goals.replace",
    "PATCH /rest/api/3/goals/{goal_gid}": "goals.update",
    "DELETE /rest/api/3/goals/{goal_gid}": "goals.delete",
    "POST /chat.postMessage": "chat.post_message",
    "GET /2/users/{id}/messages.json": "users.messages.list",
    "POST /projects/{id}/archive": "projects.archive",
    "DELETE /projects/{id}/deploy_keys/{key_id}/disable": "projects.deploy_keys.disable",
    "GET /v1/reports/{report_id}/download": "reports.download",
    "GET /v1/reports": "reports.list",
    "PUT /v1/uploads/{upload_id}": "uploads.upload_part",
    "GET /api/admin.users.list": "admin.users.list",
}


def test_compiled_openapi_routes_get_the_documented_names() -> None:
    plan = load(COMPILED).plan
    assert {f"{m.http_method} {m.path}": m.accessor for m in plan.all_methods()} == (
        COMPILED_ACCESSORS
    )
    assert plan.warnings == ()


SEGMENT = st.one_of(
    st.from_regex(r"[A-Za-z0-9_.\-~é]{1,12}", fullmatch=True),
    st.from_regex(r"\{[a-z_]{1,6}\}", fullmatch=True),
    st.sampled_from(["v1", "v1.1", "2", "api", "rest", "2010-04-01", "x.json", "a.bMethod", "."]),
)


@settings(max_examples=80, deadline=None)
@given(st.lists(st.lists(SEGMENT, min_size=1, max_size=5), min_size=1, max_size=6, unique_by=str))
def test_any_paths_give_python_identifiers(paths: list[list[str]]) -> None:
    endpoints = []
    for segments in paths:
        params = [s for s in segments if s.startswith("{")]
        if len(params) != len(set(params)):
            continue  # a param used twice in one path is the frontend's error, not a name
        endpoints.append(("GET", "/" + "/".join(segments), ""))
    text = lap(*endpoints)
    result = read_spec(text)
    if result.api is None:
        return  # refused with diagnostics: the frontend's job
    plan = build_plan(result.api, Config(), spec_name="t.lap", spec_bytes=text)
    accessors_ = [m.accessor for m in plan.all_methods()]
    assert len(accessors_) == len(set(accessors_))
    for accessor in accessors_:
        for part in accessor.split("."):
            assert part.isidentifier() and not keyword.iskeyword(part), accessor


@pytest.mark.parametrize(
    ("title", "name"),
    [
        ("Stytch", "Stytch API"),
        ("GitHub REST API", "GitHub REST API"),
        ("Notion api", "Notion api"),
        ("Rapid", "Rapid API"),
        ("OpenAPI", "OpenAPI API"),  # `OpenAPI` is a format's name, not "an API"
        ("  Pet   Store ", "Pet Store API"),
    ],
)
def test_api_names_never_double_the_word(title: str, name: str) -> None:
    assert api_name(title) == name


def test_no_generated_text_says_api_api(tmp_path: Path) -> None:
    spec = tmp_path / "api.lap"
    spec.write_text(
        "@lap v0.3\n@api Bookshelf API\n@endpoints 1\n@endpoint GET /books\n"
        "@returns(200) {id: str}\n@end\n",
        "utf-8",
    )
    assert cli_main(["generate", str(spec), "-o", str(tmp_path / "out")]) == 0
    texts = [path.read_text("utf-8") for path in (tmp_path / "out").rglob("*") if path.is_file()]
    assert not [text for text in texts if re.search(r"(?i)\bAPI API\b", text)]
    assert any("Bookshelf API" in text for text in texts)


# ---------------------------------------------------------------------------------------------
# Resource class names: from the set of resources, never from their order
# ---------------------------------------------------------------------------------------------

RESOURCE_CLASS_CASES = [
    # (resource paths, expected class names)
    ([("users",), ("b2b",)], {("users",): "Users", ("b2b",): "B2B"}),
    # the only `members`: its own name; two `organizations`: both qualified by their parent
    (
        [("b2b",), ("b2b", "organizations"), ("b2b", "organizations", "members")],
        {
            ("b2b",): "B2B",
            ("b2b", "organizations"): "Organizations",
            ("b2b", "organizations", "members"): "Members",
        },
    ),
    (
        [
            ("b2b",),
            ("b2b", "organizations"),
            ("b2b", "discovery"),
            ("b2b", "discovery", "organizations"),
        ],
        {
            ("b2b",): "B2B",
            ("b2b", "organizations"): "B2BOrganizations",
            ("b2b", "discovery"): "Discovery",
            ("b2b", "discovery", "organizations"): "DiscoveryOrganizations",
        },
    ),
    # a nested resource never takes a top-level resource's name
    (
        [("users",), ("b2b",), ("b2b", "users")],
        {("users",): "Users", ("b2b",): "B2B", ("b2b", "users"): "B2BUsers"},
    ),
    # a reserved name (the module names, builtins) is qualified, a top-level one numbered
    (
        [("models",), ("x",), ("x", "models")],
        {("models",): "Models2", ("x",): "X", ("x", "models"): "XModels"},
    ),
]


@pytest.mark.parametrize(("paths", "expected"), RESOURCE_CLASS_CASES)
def test_resource_class_names(
    paths: list[tuple[str, ...]], expected: dict[tuple[str, ...], str]
) -> None:
    assert resource_class_names(paths, {"Models"}) == expected


@given(
    st.lists(
        st.lists(
            st.sampled_from(["users", "members", "orgs", "email", "b2b", "otp"]),
            min_size=1,
            max_size=3,
        ).map(tuple),
        unique=True,
        max_size=12,
    ),
    st.randoms(),
)
def test_resource_class_names_ignore_order_and_are_unique(
    paths: list[tuple[str, ...]], random: Any
) -> None:
    # Every prefix of a resource is a resource too, as in the planner's tree.
    tree = sorted({path[:depth] for path in paths for depth in range(1, len(path) + 1)})
    shuffled = list(tree)
    random.shuffle(shuffled)
    names = resource_class_names(tree, set())
    assert resource_class_names(shuffled, set()) == names
    assert len(set(names.values())) == len(names)


def _routes_by_accessor(spec_text: str) -> dict[str, str]:
    api = read_spec(spec_text).api
    assert api is not None
    plan = build_plan(api, Config(), spec_name="t.lap", spec_bytes=spec_text.encode())
    return {m.accessor: f"{m.http_method} {m.path}" for m in plan.all_methods()}


@given(st.permutations(range(4)))
def test_which_endpoint_keeps_a_shared_name_does_not_depend_on_order(order: list[int]) -> None:
    """Two item routes that both want `get`: the same one keeps it, in any order."""
    endpoints = [
        "@endpoint GET /contacts/{id}\n@desc Get contact\n@required {id: str}\n",
        "@endpoint GET /contacts/{email}\n@desc Get contact\n@required {email: str}\n",
        "@endpoint GET /contacts\n@desc List contacts\n",
        "@endpoint DELETE /contacts/{id}\n@desc Delete contact\n@required {id: str}\n",
    ]
    head = "@lap v0.3\n@api Contacts\n@base https://contacts.example\n@endpoints 4\n\n"
    spec = head + "\n".join(endpoints[index] for index in order) + "\n@end\n"
    in_order = head + "\n".join(endpoints) + "\n@end\n"
    assert _routes_by_accessor(spec) == _routes_by_accessor(in_order)


def test_a_pages_iterator_whose_name_is_taken_is_left_out_with_a_warning() -> None:
    spec = (
        "@lap v0.3\n@api Pages\n@base https://pages.example\n@endpoints 2\n\n"
        "@endpoint GET /things\n@desc List things\n@optional {cursor: str, limit: int}\n"
        "@returns(200) {items: [map{id: str}], next_cursor: str}\n\n"
        "@endpoint GET /things/list_pages\n@desc List\n@returns(200) {id: str}\n\n@end\n"
    )
    api = read_spec(spec).api
    assert api is not None
    plan = build_plan(api, Config(), spec_name="p.lap", spec_bytes=spec.encode())
    methods = {m.accessor: m for m in plan.all_methods()}
    assert methods["things.list"].pages is None
    assert methods["things.list_pages.list"].pages is None
    [warning] = [w for w in plan.warnings if "_pages" in w.message]
    assert warning.message == "things.list_pages is taken, so things.list has no iterator"
    assert (warning.line, warning.column) == (6, 11)
    # Without the clash the iterator is there.
    alone = spec.replace("@endpoints 2", "@endpoints 1").split("@endpoint GET /things/list_pages")[
        0
    ]
    api = read_spec(alone + "@end\n").api
    assert api is not None
    plan = build_plan(api, Config(), spec_name="p.lap", spec_bytes=alone.encode())
    assert next(plan.all_methods()).pages is not None


@pytest.mark.parametrize(
    ("base", "taken", "expected"),
    [("Owner", set(), "Owner2"), ("Owner", {"Owner2", "Owner3"}, "Owner4"), ("X", {"X3"}, "X2")],
)
def test_numbered_class_takes_the_first_free_number(
    base: str, taken: set[str], expected: str
) -> None:
    assert numbered_class(base, taken.__contains__) == expected
