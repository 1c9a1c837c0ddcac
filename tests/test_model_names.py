"""Model class names (generator/planner/model_names.py): IR fragment in, names out.

The names depend on the places a model stands for (a method's accessor path, a field path, a
declared name), never on document order or how often a shape is used; a names lock and the
``[models.names]`` config keep or choose them.
"""

from __future__ import annotations

import contextlib
import io
import json
from collections.abc import Iterable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.config import Config
from generator.frontend import read_spec
from generator.plan import Plan, build_plan
from generator.planner.model_names import (
    Candidate,
    choose_names,
    object_options,
    response_options,
)
from generator.planner.types import MODEL_RESERVED

# ---------------------------------------------------------------------------------------------
# The rule, in isolation
# ---------------------------------------------------------------------------------------------

RESPONSE_CASES = [
    # (places of one response shape, the names it would take, best first)
    (["users.get"], ["UsersGetResponse"]),
    (["b2b.oauth.authenticate"], ["B2BOauthAuthenticateResponse"]),
    (["oauth.authenticate"], ["OauthAuthenticateResponse"]),
    (["b2b.sessions.exchange"], ["B2BSessionsExchangeResponse"]),
    # too long: the leading resources go, the method stays
    (
        ["b2b.organizations.members.oauth_providers.microsoft"],
        ["MembersOauthProvidersMicrosoftResponse"],
    ),
    # shared: the resources and the method the places have in common
    (
        ["otps.authenticate", "magic_links.authenticate"],
        ["AuthenticateResponse", "MagicLinksAuthenticateResponse", "OtpsAuthenticateResponse"],
    ),
    (
        ["otps.whatsapp.send", "otps.sms.send"],
        ["OtpsSendResponse", "OtpsSmsSendResponse", "OtpsWhatsappSendResponse"],
    ),
    (
        ["sessions.get_jwks", "b2b.sessions.get_jwks"],
        ["SessionsGetJwksResponse", "B2BSessionsGetJwksResponse"],
    ),
    # no method in common: each place's own name, sorted
    (["webauthn.register", "webauthn.authenticate"], ["WebauthnAuthenticateResponse"]),
]


@pytest.mark.parametrize(("places", "expected"), RESPONSE_CASES)
def test_response_names_come_from_the_accessor_paths(
    places: list[str], expected: list[str]
) -> None:
    assert response_options(sorted(places))[: len(expected)] == expected


OBJECT_CASES = [
    # (places of one inline object shape, its first few names)
    (["users.get/address"], ["Address", "UsersAddress", "GetAddress"]),
    (["users.get/connections"], ["Connection", "UsersConnection"]),
    (
        ["b2b.sso.oidc.create_connection/connection", "b2b.sso.oidc.update_connection/connection"],
        ["Connection", "OidcConnection", "SsoOidcConnection", "B2BSsoOidcConnection"],
    ),
    (["users.create(address)"], ["Address", "UsersAddress", "CreateAddress"]),
    (["users.create(address)/geo"], ["Geo", "AddressGeo", "UsersAddressGeo"]),
    (["type:Widget/geo"], ["Geo", "WidgetGeo"]),
    (["users.get/user/name", "sessions.get/user/name"], ["Name", "UserName", "SessionsUserName"]),
]


@pytest.mark.parametrize(("places", "expected"), OBJECT_CASES)
def test_inline_object_names_come_from_the_field_then_its_owner(
    places: list[str], expected: list[str]
) -> None:
    assert object_options(sorted(places))[: len(expected)] == expected


def _candidate(kind: str, *places: str, declared: str = "") -> Candidate:
    return Candidate(places, kind, tuple(sorted(places)), declared)  # type: ignore[arg-type]


CHOICE_CASES = [
    # (candidates, configured names, locked names, expected names)
    pytest.param(
        [_candidate("object", "users.get/connection"), _candidate("object", "orgs.get/connection")],
        {},
        {},
        {("users.get/connection",): "UsersConnection", ("orgs.get/connection",): "OrgsConnection"},
        id="two-shapes-of-one-field-both-qualified",
    ),
    pytest.param(
        [_candidate("object", "users.get/connection"), _candidate("object", "orgs.get/connection")],
        {},
        {"Connection": ["orgs.get/connection"]},
        {("users.get/connection",): "UsersConnection", ("orgs.get/connection",): "Connection"},
        id="the-lock-keeps-the-plain-name-where-it-was",
    ),
    pytest.param(
        [_candidate("type", "type:User", declared="User"), _candidate("object", "a.get/user")],
        {},
        {},
        {("type:User",): "User", ("a.get/user",): "AUser"},
        id="a-declared-type-wins-over-an-inline-object",
    ),
    pytest.param(
        [_candidate("response", "users.get"), _candidate("object", "x.get/users_get_response")],
        {},
        {},
        {("users.get",): "UsersGetResponse", ("x.get/users_get_response",): "XUsersGetResponse"},
        id="a-response-wins-over-an-inline-object",
    ),
    pytest.param(
        [_candidate("object", "users.get/user"), _candidate("object", "users.get/users")],
        {},
        {},
        {("users.get/user",): "User2", ("users.get/users",): "User3"},
        id="numbered-only-when-every-option-clashes",
    ),
    pytest.param(
        [_candidate("object", "users.get/user"), _candidate("object", "users.get/users")],
        {"users.get/users": "UserList"},
        {},
        {("users.get/user",): "User", ("users.get/users",): "UserList"},
        id="a-configured-name-settles-it",
    ),
    pytest.param(
        [_candidate("object", "a.get/any"), _candidate("type", "type:None", declared="None")],
        {},
        {"Any": ["a.get/any"]},
        {("a.get/any",): "AAny", ("type:None",): "None2"},
        id="reserved-names-are-never-given",
    ),
]


@pytest.mark.parametrize(("candidates", "configured", "locked", "expected"), CHOICE_CASES)
def test_choose_names(
    candidates: list[Candidate],
    configured: dict[str, str],
    locked: dict[str, list[str]],
    expected: dict[tuple[str, ...], str],
) -> None:
    naming = choose_names(
        candidates, configured=configured, locked=locked, reserved=MODEL_RESERVED | {"None"}
    )
    assert dict(naming.names) == expected
    numbered = {name for name in expected.values() if name[-1].isdigit()}
    warned = {problem.candidate.key for problem in naming.problems}
    assert warned == {key for key, name in expected.items() if name in numbered}
    for problem in naming.problems:
        assert "[models.names]" in problem.message


@given(st.permutations(range(6)), st.sampled_from([{}, {"Connection": ["c.get/connection"]}]))
def test_choose_names_ignores_the_candidates_order(order: list[int], locked: dict) -> None:
    candidates = [
        _candidate("object", "a.get/connection"),
        _candidate("object", "b.get/connection", "b.list/connection"),
        _candidate("object", "c.get/connection"),
        _candidate("response", "a.get", "c.get"),
        _candidate("response", "b.get"),
        _candidate("type", "type:Connection", declared="Connection"),
    ]
    expected = choose_names(candidates, configured={}, locked=locked, reserved=()).names
    shuffled = [candidates[index] for index in order]
    assert choose_names(shuffled, configured={}, locked=locked, reserved=()).names == expected
    assert len(set(expected.values())) == len(candidates)


# ---------------------------------------------------------------------------------------------
# Through the planner: a spec in, model names out
# ---------------------------------------------------------------------------------------------


def _plan(text: str, config: Config | None = None, locked: dict | None = None) -> Plan:
    data = text.encode()
    result = read_spec(data)
    assert result.api is not None, [d.message for d in result.diagnostics]
    return build_plan(
        result.api, config or Config(), spec_name="t.lap", spec_bytes=data, locked_names=locked
    )


def _spec(groups: dict[str, list[str]], types: str = "") -> str:
    count = sum(len(endpoints) for endpoints in groups.values())
    body = "".join(
        f"@group {name}\n" + "".join(endpoints) + "@endgroup\n\n"
        for name, endpoints in groups.items()
    )
    return f"@lap v0.3\n@api Names\n@endpoints {count}\n\n{types}\n{body}@end\n"


_DESCS = {"GET": "Get", "POST": "Create", "PUT": "Update", "DELETE": "Delete"}


def _endpoint(method: str, path: str, returns: str, params: str = "") -> str:
    required = f"@required {{{params}}}\n" if params else ""
    desc = _DESCS[method] if "{" in path or method != "GET" else "List"
    return f"@endpoint {method} {path}\n@desc {desc}\n{required}@returns(200) {{{returns}}}\n\n"


# Endpoints over a few groups whose shapes repeat, differ and nest: connection fields of three
# shapes, two methods returning the same shape, a declared type and a param object.
GROUPS = {
    "users": [
        _endpoint("GET", "/users/{id}", "id: str, connection: map{id: str, kind: str}", "id: str"),
        _endpoint("GET", "/users", "users: [map{id: str}], next: str"),
        _endpoint("POST", "/users", "id: str, connection: map{id: str, kind: str}"),
    ],
    "orgs": [
        _endpoint("GET", "/orgs/{id}", "id: str, connection: map{url: str}", "id: str"),
        _endpoint("POST", "/orgs", "id: str, address: Address", "address: map{line: str}"),
    ],
    "apps": [
        _endpoint("GET", "/apps/{id}", "id: str, connection: map{secret: str}", "id: str"),
        _endpoint("DELETE", "/apps/{id}", "id: str, connection: map{url: str}", "id: str"),
    ],
}
TYPES = "@type Address {line: str, geo: map{lat: num}}\n"


def _names(plan: Plan) -> dict[str, tuple[str, ...]]:
    return {model.name: model.places for model in plan.models}


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.permutations(list(GROUPS)), st.randoms(use_true_random=False))
def test_reordering_groups_and_endpoints_renames_nothing(group_order, random) -> None:
    reordered = {}
    for name in group_order:
        endpoints = list(GROUPS[name])
        random.shuffle(endpoints)
        reordered[name] = endpoints
    assert _names(_plan(_spec(reordered, TYPES))) == _names(_plan(_spec(GROUPS, TYPES)))


def test_the_planner_names_by_place() -> None:
    names = _names(_plan(_spec(GROUPS, TYPES)))
    assert names == {
        "Address": ("type:Address",),
        "Geo": ("type:Address/geo",),
        # three `connection` shapes: by the resource when it tells them apart, else by method
        "UsersConnection": ("users.create/connection", "users.get/connection"),
        "GetConnection": ("apps.get/connection",),
        "DeleteConnection": ("apps.delete/connection", "orgs.get/connection"),
        "OrgsAddress": ("orgs.create(address)",),  # `Address` is the declared type's
        "User": ("users.list/users",),
        # two methods, one shape, one class: named by what the places share, else the first
        "UsersCreateResponse": ("users.create", "users.get"),
        "AppsDeleteResponse": ("apps.delete", "orgs.get"),
        "AppsGetResponse": ("apps.get",),
        "OrgsCreateResponse": ("orgs.create",),
        "UsersListResponse": ("users.list",),
    }


# Added endpoints: one reusing an existing response shape (with an earlier-sorting accessor),
# one a new shape of an existing field name, one all new.
ADDED = {
    "aaa": [
        _endpoint("GET", "/aaa/{id}", "id: str, connection: map{id: str, kind: str}", "id: str"),
        _endpoint("PUT", "/aaa/{id}", "id: str, connection: map{other: int}", "id: str"),
        _endpoint("POST", "/aaa", "created: bool, widget: map{w: int}"),
    ]
}


def _renamed(before: Plan, after: Plan) -> dict[str, str]:
    """Old name → new name for each old model whose places now have another name."""
    now = {place: model.name for model in after.models for place in model.places}
    return {
        model.name: now[place]
        for model in before.models
        for place in model.places
        if place in now and now[place] != model.name
    }


def test_adding_endpoints_renames_nothing_with_the_lock() -> None:
    before = _plan(_spec(GROUPS, TYPES))
    lock = {model.name: model.places for model in before.models}
    after = _plan(_spec({**GROUPS, **ADDED}, TYPES), locked=lock)
    assert _renamed(before, after) == {}
    assert len(after.models) > len(before.models)
    # Without the lock the reused shapes would take names from their new, first place.
    unlocked = _renamed(before, _plan(_spec({**GROUPS, **ADDED}, TYPES)))
    assert unlocked == {
        "UsersConnection": "AaaGetConnection",
        "GetConnection": "AppsGetConnection",
        "UsersCreateResponse": "AaaGetResponse",
    }


_ALL_ENDPOINTS = [
    (group, endpoint) for group, items in {**GROUPS, **ADDED}.items() for endpoint in items
]


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sets(st.integers(0, len(_ALL_ENDPOINTS) - 1), min_size=1))
def test_any_endpoints_added_to_a_locked_spec_rename_nothing(kept: set[int]) -> None:
    def spec_of(indices: Iterable[int]) -> str:
        groups: dict[str, list[str]] = {}
        for index in sorted(indices):
            group, endpoint = _ALL_ENDPOINTS[index]
            groups.setdefault(group, []).append(endpoint)
        return _spec(groups, TYPES)

    before = _plan(spec_of(kept))
    lock = {model.name: model.places for model in before.models}
    after = _plan(spec_of(range(len(_ALL_ENDPOINTS))), locked=lock)
    assert _renamed(before, after) == {}
    assert {m.name for m in before.models} <= {m.name for m in after.models}


def test_adding_endpoints_with_new_places_renames_nothing_without_the_lock() -> None:
    """Without a lock, a new place can take a name only when its shape is new and its own
    names are free: the old models keep theirs."""
    before = _plan(_spec(GROUPS, TYPES))
    added = {"zzz": [_endpoint("POST", "/zzz", "created: bool, widget: map{w: int}")]}
    after = _plan(_spec({**GROUPS, **added}, TYPES))
    assert _renamed(before, after) == {}


def test_the_lock_releases_removed_names_and_new_shapes_get_new_ones() -> None:
    lock = {"Gone": ("nothing.here",), "Connection": ("users.get/connection",)}
    plan = _plan(_spec(GROUPS, TYPES), locked=lock)
    names = _names(plan)
    assert "Gone" not in names
    assert "users.get/connection" in names["Connection"]


def test_config_names_a_model_by_place() -> None:
    config = Config(model_names=(("users.get", "UserResponse"), ("orgs.get/connection", "Link")))
    names = _names(_plan(_spec(GROUPS, TYPES), config))
    assert names["UserResponse"] == ("users.create", "users.get")  # any place names the shape
    assert "orgs.get/connection" in names["Link"]


def test_a_config_place_that_matches_nothing_is_an_error() -> None:
    from generator.errors import ConfigError

    config = Config(model_names=(("users.gte", "UserResponse"),), source="x.toml")
    with pytest.raises(ConfigError, match=r'x.toml: error: models.names."users.gte": matches'):
        _plan(_spec(GROUPS, TYPES), config)


def test_a_numbered_name_warns_at_its_place_with_the_config_key() -> None:
    spec = _spec(
        {
            "users": [
                _endpoint(
                    "GET", "/users/{id}", "user: map{a: int}, users: [map{b: int}]", "id: str"
                )
            ]
        }
    )
    plan = _plan(spec)
    assert {m.name for m in plan.models} >= {"User2", "User3"}
    first, second = sorted(plan.warnings, key=lambda w: w.message)
    # at the fields, on the @returns line
    assert (first.line, first.column) < (second.line, second.column) and first.line == 10
    assert '[models.names] "users.get/user" = ' in first.message
    assert '[models.names] "users.get/users" = ' in second.message


# ---------------------------------------------------------------------------------------------
# The lock on disk: the manifest is hostile input
# ---------------------------------------------------------------------------------------------


def _generate(spec: Path, out: Path) -> tuple[int, str]:
    from generator.cli import main

    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        code = main(["generate", str(spec), "-o", str(out)])
    return code, err.getvalue()


def test_generating_in_place_keeps_the_locked_names(tmp_path: Path) -> None:
    spec, out = tmp_path / "names.lap", tmp_path / "out"
    spec.write_text(_spec(GROUPS, TYPES))
    assert _generate(spec, out)[0] == 0
    manifest = json.loads((out / ".lapgen-manifest.json").read_text())
    locked = manifest["models"]
    assert locked["UsersCreateResponse"] == ["users.create", "users.get"]
    # A new shape of `connection` sorting first would take the short names without the lock.
    spec.write_text(_spec({**ADDED, **GROUPS}, TYPES))
    assert _generate(spec, out)[0] == 0
    relocked = json.loads((out / ".lapgen-manifest.json").read_text())["models"]
    for name, places in locked.items():
        assert set(places) <= set(relocked[name]), name
    # `lapgen check` plans with the same lock: the output is up to date.
    from generator.cli import main

    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        assert main(["check", str(spec), str(out)]) == 0


TAMPERED = [
    # (the manifest's models entry, a piece of the warning)
    ("not a table", "not a table of class names"),
    ({"attrs": ["users.get"]}, "is not a class name"),
    ({"Dict": ["users.get"]}, "is reserved"),
    ({"Evil\nName": ["users.get"]}, "is not a class name"),
    ({"X" * 41: ["users.get"]}, "longer than 40"),
    ({"Fine": "users.get"}, "not a list of places"),
    ({"Fine": [1, 2]}, "not a list of places"),
    ({"Aaa": ["users.get"], "Bbb": ["users.get"]}, "a place another name has"),
    ({"ClassVarX": ["users.get"]}, "is reserved"),
]


@pytest.mark.parametrize(("models", "warning"), TAMPERED)
def test_a_tampered_lock_is_ignored_with_a_warning(
    tmp_path: Path, models: object, warning: str
) -> None:
    spec, out = tmp_path / "names.lap", tmp_path / "out"
    spec.write_text(_spec(GROUPS, TYPES))
    assert _generate(spec, out)[0] == 0
    fresh = {path.name: path.read_bytes() for path in out.rglob("models.py")}
    manifest_path = out / ".lapgen-manifest.json"
    manifest = json.loads(manifest_path.read_text())
    manifest["models"] = models
    manifest_path.write_text(json.dumps(manifest))
    code, err = _generate(spec, out)
    assert code == 0, err
    assert f"{manifest_path}: warning: models" in err and warning in err, err
    assert "\nName" not in err and "Traceback" not in err
    models_py = {path.name: path.read_bytes() for path in out.rglob("models.py")}
    if warning != "a place another name has":
        assert models_py == fresh  # nothing of it reached the code


# ---------------------------------------------------------------------------------------------
# Stytch, groups reversed
# ---------------------------------------------------------------------------------------------


def _reverse_groups(text: str) -> str:
    """The spec with its ``@group … @endgroup`` blocks in reverse order, nothing else moved."""
    head, _, rest = text.partition("\n@group ")
    body, end_marker, tail = rest.rpartition("@endgroup\n")
    groups = ("@group " + body + end_marker).split("\n@group ")
    blocks = [block if block.startswith("@group ") else "@group " + block for block in groups]
    blocks = [block.rstrip("\n") + "\n" for block in blocks]
    assert len(blocks) > 10 and all(block.count("@endgroup") == 1 for block in blocks)
    result = head + "\n" + "\n".join(reversed(blocks)) + tail
    assert sorted(result.splitlines()) == sorted(text.splitlines()) and result != text
    return result


def test_stytch_with_its_groups_reversed_generates_the_same_files(tmp_path: Path) -> None:
    """One generation of the reversed spec, compared with the committed output: every file
    byte for byte, but the two that record the spec's hash (_provenance.py, the manifest),
    whose names lock must agree too."""
    from regenerate import GENERATED, SPEC, SPEC_CONFIG

    reversed_spec = tmp_path / "stytch.lap"
    reversed_spec.write_text(_reverse_groups(SPEC.read_text(encoding="utf-8")), encoding="utf-8")
    (tmp_path / "stytch.toml").write_bytes(SPEC_CONFIG.read_bytes())
    out = tmp_path / "out"
    code, err = _generate(reversed_spec, out)
    assert code == 0, err
    provenance = {".lapgen-manifest.json", "stytch_api/_provenance.py"}

    def files(root: Path) -> dict[str, bytes]:
        # The files lapgen wrote (a `pip install` of the output may leave build/ beside them).
        written = json.loads((root / ".lapgen-manifest.json").read_text())["files"]
        return {name: (root / name).read_bytes() for name in written if name not in provenance}

    committed, regenerated = files(GENERATED), files(out)
    assert sorted(regenerated) == sorted(committed)
    assert [name for name in committed if regenerated[name] != committed[name]] == []
    lock = json.loads((out / ".lapgen-manifest.json").read_text())["models"]
    assert lock == json.loads((GENERATED / ".lapgen-manifest.json").read_text())["models"]
    assert not [name for name in lock if name[-1].isdigit() and name[-2].islower()]


# ---------------------------------------------------------------------------------------------
# [models.names] in the config: checked like every table
# ---------------------------------------------------------------------------------------------

CONFIG_ERRORS = [
    ("[models]\nname = 1\n", "models.name: unknown key in [models]"),
    ('[models.names]\n"users.get" = "lower"\n', "models.names.\"users.get\": 'lower' is not"),
    ('[models.names]\n"users.get" = "Dict"\n', "'Dict' is reserved"),
    ('[models.names]\n"users.get" = "ClassVarX"\n', "'ClassVarX' is reserved"),
    ('[models.names]\n"users.get" = 3\n', 'models.names."users.get": must be a string'),
    (
        '[models.names]\n"users.get" = "Same"\n"users.list" = "Same"\n',
        "models.names.\"users.list\": 'Same' is also the name of 'users.get'",
    ),
    ('[models.names]\n"users.gte" = "Fine"\n', 'models.names."users.gte": matches no model'),
    ('[models.names]\n"" = "Fine"\n', 'models.names."": not a model place'),
]


@pytest.mark.parametrize(("toml", "message"), CONFIG_ERRORS)
def test_a_bad_models_names_table_is_a_config_error(
    tmp_path: Path, toml: str, message: str
) -> None:
    spec = tmp_path / "names.lap"
    spec.write_text(_spec(GROUPS, TYPES))
    (tmp_path / "names.toml").write_text(toml)
    code, err = _generate(spec, tmp_path / "out")
    assert code == 2
    assert err.startswith(f"{tmp_path / 'names.toml'}: error: "), err
    assert message in err, err
    assert not (tmp_path / "out").exists()
