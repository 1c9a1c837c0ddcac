"""``lapgen diff``: the reviewer's findings, one test (or more) each.

Configs on one side only, no bump for identical specs, signature changes as changed params,
before/after on every row, renamed response fields, model renames and field changes.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

from sdk_support import SPEC, SPEC_CONFIG, run_lapgen
from test_diff import BASE, api_changes, changes, inline, write

from generator.config import load_config
from generator.diff import diff, kinds
from generator.pipeline import load

# ---------------------------------------------------------------------------------------------
# Two sides read with different configs
# ---------------------------------------------------------------------------------------------


def test_a_config_beside_one_spec_only_is_a_warning_not_an_api_change(tmp_path: Path) -> None:
    """The old spec from `git show` (no TOML beside it), the new one with its TOML: the spec is
    the same, so nothing is an API change; what the config does is attributed to it."""
    old = tmp_path / "old" / "stytch.lap"
    old.parent.mkdir()
    shutil.copy(SPEC, old)
    new = tmp_path / "stytch.lap"
    shutil.copy(SPEC, new)
    shutil.copy(SPEC_CONFIG, tmp_path / "stytch.toml")

    run = run_lapgen("diff", old, new, "--format", "json")
    assert run.code == 0, run.stderr
    assert "warning" in run.stderr and "different configs" in run.stderr
    assert "--config" in run.stderr
    report = json.loads(run.stdout)
    [warning] = report["warnings"]
    assert "old: no config" in warning and "new: config sha256" in warning
    assert report["changes"], "the config changes the SDK: that must be reported"
    assert all(c["cause"] == "config" for c in report["changes"])
    [auth] = changes(report, "client-auth-changed")
    assert auth["scope"] == "sdk"
    markdown = run_lapgen("diff", old, new, "--format", "markdown").stdout
    assert "> ⚠️ the two specs were planned with different configs" in markdown
    assert "No API changes." in markdown
    assert "the client's credentials changed (from the config)" in markdown
    text = run_lapgen("diff", old, new).stdout
    assert "warning: the two specs were planned with different configs" in text

    # With one config for both, as docs/ci.md runs it: nothing changed at all.
    same = run_lapgen("diff", old, new, "--config", SPEC_CONFIG, "--format", "json")
    assert same.stderr == ""
    assert json.loads(same.stdout)["changes"] == []
    assert json.loads(same.stdout)["suggested_bump"] == "none"


def test_spec_changes_and_config_changes_are_told_apart(tmp_path: Path) -> None:
    """A new config moves a param; the new spec adds one: each change names its cause."""
    write(tmp_path, "new.toml", '[endpoints."GET /items"]\nplacement = { "q" = "body" }\n')
    new = BASE.replace("note: str}", "note: str, label: str}")
    report = inline(tmp_path, BASE, new)
    [moved] = changes(report, "param-moved")
    assert moved["cause"] == "config" and moved["breaking"] is True
    [added] = changes(report, "param-added")
    assert added["cause"] == "spec" and added["target"] == "label"
    assert report["warnings"] and "1 change(s) come from the config alone" in report["warnings"][0]


def test_without_the_old_config_diff_still_warns_but_attributes_nothing(tmp_path: Path) -> None:
    """``diff()`` called without ``old_config`` cannot tell what the config did: it says so."""
    write(tmp_path, "new.toml", '[endpoints."GET /items"]\nplacement = { "q" = "body" }\n')
    old, new = write(tmp_path, "old.lap", BASE), write(tmp_path, "new.lap", BASE)
    report = diff(load(old), load(new))
    [warning] = report.warnings
    assert "different configs" in warning and "come from the config" not in warning
    assert [c.kind for c in report.changes] == ["param-moved"]
    with_config = diff(load(old), load(new), old_config=load_config(None))
    assert [c.cause for c in with_config.changes] == ["config"]
    assert "1 change(s) come from the config alone" in with_config.warnings[0]


def test_docs_ci_passes_the_config_to_every_diff() -> None:
    """Every `lapgen diff` command docs/ci.md shows reads both specs with one config."""
    text = (Path(__file__).parent.parent / "docs" / "ci.md").read_text("utf-8")
    commands = [line for line in text.splitlines() if re.search(r"lapgen diff [\"<$A-Za-z]", line)]
    assert commands
    for line in commands:
        assert "--config" in line, line


# ---------------------------------------------------------------------------------------------
# Identical specs
# ---------------------------------------------------------------------------------------------


def test_identical_specs_suggest_no_bump(tmp_path: Path) -> None:
    spec = write(tmp_path, "shop.lap", BASE)
    run = run_lapgen("diff", spec, spec)
    assert "suggested bump: none (1.4.2 → 1.4.2)" in run.stdout
    markdown = run_lapgen("diff", spec, spec, "--format", "markdown").stdout
    assert "⚪ **Suggested bump: none** (`1.4.2` → `1.4.2`)" in markdown
    assert run_lapgen("diff", spec, spec, "--fail-on-breaking").code == 0


MADE_REQUIRED_OLD = "@required {name: str}\n@optional {color: str(red/green/blue), note: str}"
MADE_REQUIRED_NEW = "@required {name: str, note: str}\n@optional {color: str(red/green/blue)}"

# ---------------------------------------------------------------------------------------------
# Signatures: the changed params, not two long lines
# ---------------------------------------------------------------------------------------------


def _signature_report(tmp_path: Path) -> tuple[dict[str, Any], Path, Path]:
    new = BASE.replace("note: str}", "remark: str}").replace(
        "@required {name: str}", "@required {name: int}"
    )
    old_path, new_path = write(tmp_path, "old.lap", BASE), write(tmp_path, "new.lap", new)
    run = run_lapgen("diff", old_path, new_path, "--format", "json")
    return json.loads(run.stdout), old_path, new_path


def test_a_changed_signature_lists_only_the_changed_params(tmp_path: Path) -> None:
    report, old_path, new_path = _signature_report(tmp_path)
    [create] = report["sdk"]["methods_changed"]
    assert create["accessor"] == "items.create"
    assert create["params"] == [
        {"name": "note", "change": "removed", "before": "str, optional", "after": None},
        {
            "name": "name",
            "change": "changed",
            "before": "str, required",
            "after": "int, required",
        },
        {"name": "remark", "change": "added", "before": None, "after": "str, optional"},
    ]
    assert create["returns"] is None  # the return type did not change

    markdown = run_lapgen("diff", old_path, new_path, "--format", "markdown").stdout
    assert "| `client.items.create` | `note` | removed | `str, optional` | — |" in markdown
    assert "| `client.items.create` | `name` | changed | `str, required` | `int, required` |" in (
        markdown
    )
    assert "= UNSET" not in markdown  # the whole signature is not printed
    text = run_lapgen("diff", old_path, new_path).stdout
    assert (
        "client.items.create: note removed (was str, optional); name: str, required → int, "
        "required; remark added (str, optional)"
    ) in text
    assert "= UNSET" not in text


def test_a_param_made_required_shows_in_the_signature(tmp_path: Path) -> None:
    new = BASE.replace(MADE_REQUIRED_OLD, MADE_REQUIRED_NEW)
    report = inline(tmp_path, BASE, new)
    [create] = report["sdk"]["methods_changed"]
    [note] = [p for p in create["params"] if p["name"] == "note"]
    assert note == {
        "name": "note",
        "change": "changed",
        "before": "str, optional",
        "after": "str, required",
    }


# ---------------------------------------------------------------------------------------------
# Before and after on every row
# ---------------------------------------------------------------------------------------------


def test_made_required_rows_say_before_and_after(tmp_path: Path) -> None:
    new = BASE.replace(MADE_REQUIRED_OLD, MADE_REQUIRED_NEW)
    report = inline(tmp_path, BASE, new)
    [made] = changes(report, "param-made-required")
    assert (made["before"], made["after"]) == ("optional", "required")

    nested = BASE.replace("@required {name: str}", "@required {name: str, box: map{w: int}}")
    report = inline(tmp_path, nested, nested.replace("map{w: int}", "map{w!: int}"))
    [field] = changes(report, "param-field-made-required")
    assert field["target"] == "box.w" and (field["before"], field["after"]) == (
        "optional",
        "required",
    )
    markdown = run_lapgen(
        "diff",
        write(tmp_path, "a.lap", nested),
        write(tmp_path, "b.lap", nested.replace("map{w: int}", "map{w!: int}")),
        "--format",
        "markdown",
    ).stdout
    assert "| `POST /items` | param `box.w` is now required | `optional` | `required` |" in markdown
    for row in markdown.splitlines():
        if row.startswith("| `"):
            assert "|  |" not in row, row  # no empty cell


# ---------------------------------------------------------------------------------------------
# Renamed response fields
# ---------------------------------------------------------------------------------------------


def test_a_renamed_response_field_is_one_breaking_rename(tmp_path: Path) -> None:
    report = inline(
        tmp_path,
        BASE,
        BASE.replace("owner: map{id: str, email: str}", "owner: map{id: str, mail: str}"),
    )
    [renamed] = api_changes(report)
    assert renamed["kind"] == "response-field-renamed" and renamed["breaking"] is True
    assert renamed["target"] == "owner.mail"
    assert (renamed["before"], renamed["after"]) == ("owner.email", "owner.mail")
    assert "probably" in renamed["message"]
    assert report["suggested_bump"] == "major"
    # The model's attribute is renamed the same way, not removed and added.
    [attribute] = changes(report, "model-field-renamed")
    assert (attribute["before"], attribute["after"]) == ("Owner.email", "Owner.mail")
    assert attribute["breaking"] is True and attribute["scope"] == "sdk"
    assert not changes(report, "model-field-removed") and not changes(report, "model-field-added")


def test_a_response_field_of_another_type_is_not_a_rename(tmp_path: Path) -> None:
    report = inline(
        tmp_path,
        BASE,
        BASE.replace("owner: map{id: str, email: str}", "owner: map{id: str, mail: int}"),
    )
    assert not changes(report, "response-field-renamed")
    assert [c["target"] for c in changes(report, "response-field-removed")] == ["owner.email"]
    assert [c["target"] for c in changes(report, "response-field-added")] == ["owner.mail"]


def test_renames_pair_fields_by_position_among_siblings(tmp_path: Path) -> None:
    """Two fields of one type renamed at once: each pairs with the one at its position."""
    old = BASE.replace("{id: str, name: str, owner:", "{id: str, name: str, city: str, owner:")
    new = old.replace("name: str, city: str, owner:", "title: str, town: str, owner:")
    report = inline(tmp_path, old, new)
    renames = {(c["before"], c["after"]) for c in changes(report, "response-field-renamed")}
    assert renames == {("name", "title"), ("city", "town")}
    assert not changes(report, "response-field-removed")


# ---------------------------------------------------------------------------------------------
# Models: the classes users import
# ---------------------------------------------------------------------------------------------


def test_a_model_renamed_by_a_naming_shift_is_breaking(tmp_path: Path) -> None:
    """A new @desc renames the method and its response model: nothing changed on the wire,
    but `from shop_api.models import ItemsGetResponse` breaks."""
    report = inline(tmp_path, BASE, BASE.replace("@desc Get item", "@desc Fetch item"))
    assert api_changes(report) == []
    [renamed] = changes(report, "model-renamed")
    assert (renamed["before"], renamed["after"]) == ("ItemsGetResponse", "ItemsFetchResponse")
    assert renamed["breaking"] is True and renamed["scope"] == "sdk"
    assert report["suggested_bump"] == "major"


def test_a_model_field_type_change_is_breaking(tmp_path: Path) -> None:
    report = inline(tmp_path, BASE, BASE.replace("email: str}", "email: int}"))
    [typed] = changes(report, "model-field-type-changed")
    assert typed["target"] == "Owner.email" and typed["breaking"] is True
    assert (typed["before"], typed["after"]) == ("str | Unset", "int | Unset")


def test_a_model_field_that_may_now_be_left_out_is_breaking(tmp_path: Path) -> None:
    """With declared response fields present, a param that starts to send a response's
    object makes its fields optional (`str` → `str | Unset`): readers must narrow again."""
    config = write(tmp_path, "api.toml", '[responses]\ndeclared_fields = "present"\n')
    sends_owner = BASE.replace(
        "@optional {color: str(red/green/blue), note: str}",
        "@optional {color: str(red/green/blue), note: str, owner: map{id: str, email: str}}",
    )
    report = inline(tmp_path, BASE, sends_owner, "--config", config)
    widened = [
        c for c in changes(report, "model-field-type-changed") if c["target"].startswith("Owner.")
    ]
    assert {c["target"] for c in widened} == {"Owner.id", "Owner.email"}
    assert all(c["breaking"] for c in widened)
    assert {(c["before"], c["after"]) for c in widened} == {("str", "str | Unset")}


def test_a_removed_model_is_breaking_and_an_added_one_is_not(tmp_path: Path) -> None:
    new = BASE.replace(", owner: map{id: str, email: str}", "")
    report = inline(tmp_path, BASE, new)
    [removed] = changes(report, "model-removed")
    assert removed["target"] == "Owner" and removed["breaking"] is True
    [lost] = changes(report, "model-field-removed")
    assert lost["target"] == "ItemsGetResponse.owner" and lost["breaking"] is True

    back = inline(tmp_path, new, BASE)
    [added] = changes(back, "model-added")
    assert added["target"] == "Owner" and added["breaking"] is False
    assert not [c for c in back["changes"] if c["breaking"]]
    assert back["suggested_bump"] == "minor"


# ---------------------------------------------------------------------------------------------
# The README's JSON schema is the one printed
# ---------------------------------------------------------------------------------------------


def _readme_diff_section() -> str:
    text = (Path(__file__).parent.parent / "README.md").read_text("utf-8")
    return text[text.index("### `lapgen diff`") : text.index("### `lapgen mock`")]


def test_the_readme_lists_every_change_kind() -> None:
    section = _readme_diff_section()
    listed = section[section.index("`changes[].kind` is one of") : section.index("New kinds")]
    assert set(re.findall(r"`([a-z-]+)`", listed)) == set(kinds())


def test_the_readme_json_example_has_the_printed_keys(tmp_path: Path) -> None:
    section = _readme_diff_section()
    example = json.loads(section[section.index("```json") + 7 : section.index("```\n\n-")])
    new = BASE.replace("note: str}", "remark: str}").replace("@desc Get item", "@desc Fetch item")
    report = inline(tmp_path, BASE, new)
    assert set(example) == set(report) and example["schema"] == report["schema"]
    assert set(example["summary"]) == set(report["summary"])
    assert {frozenset(c) for c in example["changes"] + report["changes"]} == {
        frozenset(report["changes"][0])
    }
    assert set(example["sdk"]) == set(report["sdk"])
    [printed] = [c for c in report["sdk"]["methods_changed"] if c["params"]]
    [documented] = example["sdk"]["methods_changed"]
    assert set(documented) == set(printed)
    assert set(documented["params"][0]) == set(printed["params"][0])


def test_a_default_added_or_removed_says_so(tmp_path: Path) -> None:
    report = inline(tmp_path, BASE, BASE.replace("note: str}", "note: str=hello}"))
    [added] = changes(report, "param-default-changed")
    assert (added["before"], added["after"]) == (None, "hello")
    assert added["message"] == "param `note` now defaults to `hello`"
    report = inline(tmp_path, BASE, BASE.replace("limit: int=20", "limit: int"))
    [removed] = changes(report, "param-default-changed")
    assert (removed["before"], removed["after"]) == ("20", None)
    assert removed["message"] == "param `limit` no longer defaults to `20`"
