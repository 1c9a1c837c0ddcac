"""``lapgen diff``: API changes between two specs, breaking or not, and the suggested bump.

Specs are small text edits of ``spec/stytch.lap`` or small inline specs.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from sdk_support import SPEC, SPEC_CONFIG, run_lapgen
from test_ir_queries import TYPE_EXPRS, _without_notes

from generator import ir
from generator.diff import diff, kinds, next_version
from generator.pipeline import load

CREATE_CLIENT = "POST /v1/connected_apps/clients"
DELETE_CLIENT = "DELETE /v1/connected_apps/clients/{client_id}"

BASE = """\
@lap v0.3
@api Shop API
@base https://shop.example
@version 1.4.2
@auth Bearer token
@endpoints 3

@endpoint GET /items
@desc List items
@optional {q: str # Search text., limit: int=20, sort: str(name/price/date)}
@returns(200) {items: [map{id: str, name: str, price: map{amount: int, currency: str}}], total: int}

@endpoint GET /items/{item_id}
@desc Get item
@required {item_id: str}
@returns(200) {id: str, name: str, owner: map{id: str, email: str}}

@endpoint POST /items
@desc Create item
@required {name: str}
@optional {color: str(red/green/blue), note: str}
@returns(200) {id: str}

@end
"""


def write(directory: Path, name: str, text: str) -> Path:
    path = directory / name
    path.write_text(text, "utf-8")
    return path


def diff_json(old: Path, new: Path, *extra: str | Path) -> dict[str, Any]:
    run = run_lapgen("diff", old, new, "--format", "json", *extra)
    assert run.code == 0, run.stderr
    data: dict[str, Any] = json.loads(run.stdout)
    return data


def inline(tmp_path: Path, old: str, new: str, *extra: str | Path) -> dict[str, Any]:
    return diff_json(write(tmp_path, "old.lap", old), write(tmp_path, "new.lap", new), *extra)


def changes(report: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [c for c in report["changes"] if c["kind"] == kind]


def api_changes(report: dict[str, Any]) -> list[dict[str, Any]]:
    """The wire API's changes, without their effect on the generated models and names."""
    return [c for c in report["changes"] if c["scope"] == "api"]


def stytch_variant(tmp_path: Path, old: str, new: str) -> Path:
    text = SPEC.read_text("utf-8")
    assert text.count(old) >= 1, old
    return write(tmp_path, "stytch.lap", text.replace(old, new, 1))


# ---------------------------------------------------------------------------------------------
# The cases, on the Stytch spec
# ---------------------------------------------------------------------------------------------


def test_removed_endpoint_is_breaking(tmp_path: Path) -> None:
    text = SPEC.read_text("utf-8")
    start = text.index(f"@endpoint {DELETE_CLIENT}\n")
    end = text.index("@endpoint POST /v1/connected_apps/clients/search\n")
    new = write(tmp_path, "stytch.lap", text[:start] + text[end:])
    report = diff_json(SPEC, new, "--config", SPEC_CONFIG)
    assert report["suggested_bump"] == "major"
    assert report["next_version"] == "2.0.0"
    [removed] = changes(report, "endpoint-removed")
    assert removed["endpoint"] == DELETE_CLIENT and removed["breaking"] is True
    assert "connected_app.clients.delete" in report["sdk"]["methods_removed"]
    assert report["summary"]["breaking"] >= 1
    failing = run_lapgen("diff", SPEC, new, "--config", SPEC_CONFIG, "--fail-on-breaking")
    assert failing.code == 1, failing.stderr
    assert DELETE_CLIENT in failing.stdout and "endpoint removed" in failing.stdout


def test_optional_param_made_required_is_breaking(tmp_path: Path) -> None:
    new = stytch_variant(
        tmp_path,
        "@required {client_type: str(first_party/first_party_public/third_party/third_party_"
        "public)}\n@optional {client_name: str # A human-readable name for the client., ",
        "@required {client_type: str(first_party/first_party_public/third_party/third_party_"
        "public), client_name: str # A human-readable name for the client.}\n@optional {",
    )
    report = diff_json(SPEC, new, "--config", SPEC_CONFIG)
    [made] = changes(report, "param-made-required")
    assert made["endpoint"] == CREATE_CLIENT and made["target"] == "client_name"
    assert made["breaking"] is True
    assert report["suggested_bump"] == "major"
    assert run_lapgen("diff", SPEC, new, "--fail-on-breaking").code == 1
    # The method's signature changed: client_name lost its default.
    [changed] = [
        c
        for c in report["sdk"]["methods_changed"]
        if c["accessor"] == "connected_app.clients.create"
    ]
    assert "client_name: str = UNSET" in changed["before"]
    assert "client_name: str = UNSET" not in changed["after"]


def test_new_optional_field_is_a_minor_bump(tmp_path: Path) -> None:
    new = stytch_variant(
        tmp_path,
        "third_party_public)}\n@optional {client_name: str # A human-readable name for the "
        "client., ",
        "third_party_public)}\n@optional {client_name: str # A human-readable name for the "
        "client., tenant_label: str # A new optional field., ",
    )
    report = diff_json(SPEC, new, "--config", SPEC_CONFIG)
    assert report["summary"] == {"breaking": 0, "non_breaking": 1}
    [added] = report["changes"]
    assert added["kind"] == "param-added" and added["breaking"] is False
    assert added["endpoint"] == CREATE_CLIENT and added["target"] == "tenant_label"
    assert report["suggested_bump"] == "minor" and report["next_version"] == "1.1.0"
    run = run_lapgen("diff", SPEC, new, "--config", SPEC_CONFIG, "--fail-on-breaking")
    assert run.code == 0, run.stderr
    assert "suggested bump: minor" in run.stdout


def test_doc_only_changes_are_ignored(tmp_path: Path) -> None:
    new = stytch_variant(
        tmp_path,
        "client_name: str # A human-readable name for the client.,",
        "client_name: str # A name people can read.,",
    )
    report = diff_json(SPEC, new, "--config", SPEC_CONFIG)
    assert report["changes"] == [] and report["suggested_bump"] == "none"
    assert report["next_version"] == "1.0.0" and report["warnings"] == []
    assert report["sdk"] == {
        "methods_added": [],
        "methods_removed": [],
        "methods_changed": [],
        "models_added": [],
        "models_removed": [],
    }


# ---------------------------------------------------------------------------------------------
# Each kind of change, on small specs
# ---------------------------------------------------------------------------------------------


def test_param_moved_from_query_to_body_is_breaking(tmp_path: Path) -> None:
    write(tmp_path, "new.toml", '[endpoints."GET /items"]\nplacement = { "q" = "body" }\n')
    report = inline(tmp_path, BASE, BASE)
    [moved] = changes(report, "param-moved")
    assert moved["endpoint"] == "GET /items" and moved["target"] == "q"
    assert (moved["before"], moved["after"]) == ("query", "body")
    assert moved["breaking"] is True and report["suggested_bump"] == "major"


def test_renamed_param(tmp_path: Path) -> None:
    report = inline(tmp_path, BASE, BASE.replace("note: str}", "remark: str}"))
    [renamed] = changes(report, "param-renamed")
    assert renamed["endpoint"] == "POST /items" and renamed["breaking"] is True
    assert (renamed["before"], renamed["after"]) == ("note", "remark")
    assert not changes(report, "param-removed") and not changes(report, "param-added")


def test_removed_param_of_another_type_is_not_a_rename(tmp_path: Path) -> None:
    report = inline(tmp_path, BASE, BASE.replace("note: str}", "remark: int}"))
    assert not changes(report, "param-renamed")
    assert [c["target"] for c in changes(report, "param-removed")] == ["note"]
    assert [c["target"] for c in changes(report, "param-added")] == ["remark"]


def test_enum_value_removed_is_breaking_and_added_is_not(tmp_path: Path) -> None:
    removed = inline(tmp_path, BASE, BASE.replace("str(red/green/blue)", "str(red/green)"))
    [change] = changes(removed, "param-enum-value-removed")
    assert change["target"] == "color" and change["breaking"] is True
    assert "blue" in change["message"]
    assert removed["suggested_bump"] == "major"

    added = inline(tmp_path, BASE, BASE.replace("str(red/green/blue)", "str(red/green/blue/teal)"))
    [change] = added["changes"]
    assert change["kind"] == "param-enum-value-added" and change["breaking"] is False
    assert "teal" in change["message"]
    assert added["suggested_bump"] == "minor"


def test_response_field_removed_is_breaking_and_added_is_not(tmp_path: Path) -> None:
    removed = inline(
        tmp_path, BASE, BASE.replace("owner: map{id: str, email: str}", "owner: map{id: str}")
    )
    [change] = api_changes(removed)
    assert change["kind"] == "response-field-removed" and change["breaking"] is True
    assert change["endpoint"] == "GET /items/{item_id}" and change["target"] == "owner.email"
    assert removed["suggested_bump"] == "major"

    added = inline(
        tmp_path,
        BASE,
        BASE.replace(
            "price: map{amount: int, currency: str}",
            "price: map{amount: int, currency: str, tax: int}",
        ),
    )
    [change] = api_changes(added)
    assert change["kind"] == "response-field-added" and change["breaking"] is False
    assert change["target"] == "items[].price.tax"  # dotted through arrays of objects
    assert added["suggested_bump"] == "minor"


def test_type_and_default_changes(tmp_path: Path) -> None:
    report = inline(tmp_path, BASE, BASE.replace("limit: int=20", "limit: str=50"))
    [typed] = changes(report, "param-type-changed")
    assert typed["target"] == "limit" and typed["breaking"] is True
    assert (typed["before"], typed["after"]) == ("int", "str")
    [default] = changes(report, "param-default-changed")
    assert (default["before"], default["after"]) == ("20", "50") and default["breaking"] is False


def test_required_param_made_optional_is_not_breaking(tmp_path: Path) -> None:
    new = BASE.replace("@required {name: str}\n@optional {", "@optional {name: str, ")
    report = inline(tmp_path, BASE, new)
    [change] = report["changes"]
    assert change["kind"] == "param-made-optional" and change["breaking"] is False
    assert report["suggested_bump"] == "patch" and report["next_version"] == "1.4.3"


def test_auth_change_is_breaking(tmp_path: Path) -> None:
    report = inline(tmp_path, BASE, BASE.replace("@auth Bearer token", "@auth ApiKey key in query"))
    kinds = {c["kind"] for c in report["changes"]}
    assert "auth-changed" in kinds and "client-auth-changed" in kinds
    assert all(c["breaking"] for c in report["changes"])
    assert report["suggested_bump"] == "major"


def test_added_endpoint_and_method(tmp_path: Path) -> None:
    new = BASE.replace(
        "@end\n",
        "@endpoint DELETE /items/{item_id}\n@desc Delete item\n"
        "@required {item_id: str}\n@returns(204)\n\n@end\n",
    )
    report = inline(tmp_path, BASE, new)
    [added] = report["changes"]
    assert added["kind"] == "endpoint-added" and added["endpoint"] == "DELETE /items/{item_id}"
    assert report["sdk"]["methods_added"] == ["items.delete"]
    assert report["suggested_bump"] == "minor"


def test_zero_x_versions_move_breaking_changes_to_the_minor() -> None:
    assert next_version("0.3.1", "major") == "0.4.0"
    assert next_version("1.4.2", "major") == "2.0.0"
    assert next_version("1.4.2", "minor") == "1.5.0"
    assert next_version("1.4", "patch") == "1.4.1"
    assert next_version("latest", "patch") is None


# ---------------------------------------------------------------------------------------------
# Formats and exit codes
# ---------------------------------------------------------------------------------------------


def test_json_structure(tmp_path: Path) -> None:
    new = BASE.replace("note: str}", "remark: str}").replace(
        "owner: map{id: str, email: str}", "owner: map{id: str}"
    )
    report = inline(tmp_path, BASE, new)
    assert set(report) == {
        "schema",
        "old",
        "new",
        "api",
        "package",
        "version",
        "suggested_bump",
        "next_version",
        "summary",
        "warnings",
        "changes",
        "sdk",
    }
    assert report["schema"] == 2 and report["api"] == "Shop API" and report["version"] == "1.4.2"
    assert report["package"] == "shop_api"
    for change in report["changes"]:
        assert set(change) == {
            "kind",
            "breaking",
            "scope",
            "cause",
            "endpoint",
            "target",
            "message",
            "before",
            "after",
        }
        assert isinstance(change["breaking"], bool) and change["message"]
        assert change["kind"] in kinds()
    assert report["summary"] == {"breaking": 3, "non_breaking": 0}  # + the model's attribute
    assert set(report["sdk"]) == {
        "methods_added",
        "methods_removed",
        "methods_changed",
        "models_added",
        "models_removed",
    }
    [signature] = report["sdk"]["methods_changed"]
    assert signature["accessor"] == "items.create"
    assert "note" in signature["before"] and "remark" in signature["after"]


def test_markdown_is_a_pr_comment(tmp_path: Path) -> None:
    new = BASE.replace("note: str}", "remark: str}").replace(
        "@end\n",
        "@endpoint DELETE /items/{item_id}\n@required {item_id: str}\n@returns(204)\n\n@end\n",
    )
    old_path, new_path = write(tmp_path, "old.lap", BASE), write(tmp_path, "new.lap", new)
    run = run_lapgen("diff", old_path, new_path, "--format", "markdown")
    assert run.code == 0, run.stderr
    lines = run.stdout.splitlines()
    assert lines[0] == "## lapgen API diff: Shop API"
    assert "**Suggested bump: major**" in run.stdout and "`1.4.2` → `2.0.0`" in run.stdout
    assert "### ⚠️ Breaking changes (1)" in lines
    assert "### Non-breaking changes (1)" in lines
    assert "| Endpoint | Change | Before | After |" in lines
    assert any(line.startswith("| `POST /items` | param `note` renamed") for line in lines)
    assert any(line.startswith("| `DELETE /items/{item_id}` | endpoint added") for line in lines)
    assert "- `client.items.delete`" in lines


def test_markdown_collapses_long_lists(tmp_path: Path) -> None:
    endpoints = "".join(
        f"@endpoint GET /extra{i}\n@returns(200) {{id: str}}\n\n" for i in range(12)
    )
    new = BASE.replace("@end\n", endpoints + "@end\n")
    old_path, new_path = write(tmp_path, "old.lap", BASE), write(tmp_path, "new.lap", new)
    run = run_lapgen("diff", old_path, new_path, "--format", "markdown")
    assert run.code == 0
    assert "<details><summary>12 changes</summary>" in run.stdout
    assert "<details><summary>Methods added (12)</summary>" in run.stdout
    assert run.stdout.count("<details>") == run.stdout.count("</details>")


def test_text_format(tmp_path: Path) -> None:
    old_path = write(tmp_path, "old.lap", BASE)
    new_path = write(
        tmp_path, "new.lap", BASE.replace("sort: str(name/price/date)}", "sort: str(name/price)}")
    )
    run = run_lapgen("diff", old_path, new_path)
    assert run.code == 0
    assert "suggested bump: major (1.4.2 → 2.0.0)" in run.stdout
    assert "Breaking changes (1):" in run.stdout
    assert "GET /items: param sort no longer allows date" in run.stdout


def test_bad_spec_exits_1_and_bad_input_exits_2(tmp_path: Path) -> None:
    good = write(tmp_path, "good.lap", BASE)
    bad = write(
        tmp_path, "bad.lap", "@lap v0.3\n@api Broken\n@endpoint GET /a\n@required {x str}\n"
    )
    run = run_lapgen("diff", good, bad)
    assert run.code == 1  # an invalid spec, as in every other command
    assert f"{bad}:4:" in run.stderr and "error" in run.stderr and run.stdout == ""
    assert run_lapgen("diff", good, tmp_path / "missing.lap").code == 2
    assert run_lapgen("diff", good).code == 2
    assert run_lapgen("diff", good, good, "--format", "yaml").code == 2
    assert run_lapgen("diff", good, good, "--config", tmp_path / "no.toml").code == 2


# ---------------------------------------------------------------------------------------------
# The IR's queries, as diff uses them
# ---------------------------------------------------------------------------------------------

BODY_SPEC = """\
@lap v0.3
@api Shop API
@version 1.0.0
@type NewItem {name!: str, price: int, tags: [str]}

@endpoint POST /items
@body → NewItem
@returns(201) {id: str}

@end
"""


def test_fields_of_a_body_type_are_params(tmp_path: Path) -> None:
    """``@body → Type``: its fields are the method's params, compared like any other."""
    report = inline(tmp_path, BODY_SPEC, BODY_SPEC.replace("price: int", "price: num"))
    [typed] = api_changes(report)
    assert typed["kind"] == "param-type-changed" and typed["target"] == "price"
    assert (typed["before"], typed["after"]) == ("int", "num")
    removed = inline(tmp_path, BODY_SPEC, BODY_SPEC.replace(", tags: [str]", ""))
    assert [c["target"] for c in changes(removed, "param-removed")] == ["tags"]


def test_the_success_response_is_the_first_2xx(tmp_path: Path) -> None:
    """An error response listed first is not the success response (201 here)."""
    old = BODY_SPEC.replace("@returns(201)", "@returns(400) {error: str}\n@returns(201)")
    report = inline(tmp_path, old, old.replace("{id: str}", "{id: str, url: str}"))
    [added] = api_changes(report)
    assert added["kind"] == "response-field-added" and added["target"] == "url"


TYPE_SPEC = "@lap v0.3\n@api Typed\n@type User {{id: str}}\n@endpoint GET /a\n{line}\n@end\n"


@given(TYPE_EXPRS)
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_a_type_compared_with_itself_has_no_changes(expr: ir.TypeExpr) -> None:
    """Comments inside a type are documentation: only the canonical text is compared."""
    plain = ir.type_text(_without_notes(expr))
    noted = ir.type_text(expr)
    with tempfile.TemporaryDirectory() as tmp:
        old = write(Path(tmp), "old.lap", TYPE_SPEC.format(line=f"@returns(200) {{v: {plain}}}"))
        new = write(Path(tmp), "new.lap", TYPE_SPEC.format(line=f"@returns(200) {{v: {noted}}}"))
        assert diff(load(old), load(new)).changes == ()
        changed = write(Path(tmp), "changed.lap", TYPE_SPEC.format(line="@returns(200) {v: int}"))
        if plain != "int":
            assert diff(load(old), load(changed)).breaking, plain
