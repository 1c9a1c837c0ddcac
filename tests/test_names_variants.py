"""Request variants (issue 10): one route written several times, as lapsh writes Postman's
named requests. Identical variants are one method with a warning; variants with their own
``@desc`` are named from it; a numeric suffix is the last resort.
"""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from generator import names
from generator.config import Config
from generator.frontend import read_spec
from generator.plan import Plan, build_plan


def spec(*blocks: tuple[str, str, str | None, str | None]) -> bytes:
    """A spec from (METHOD, PATH, DESC, REQUIRED) blocks, in order."""
    lines = ["@lap v0.3", "@api Variants", ""]
    for method, path, desc, required in blocks:
        lines.append(f"@endpoint {method} {path}")
        if desc:
            lines.append(f"@desc {desc}")
        if required:
            lines.append(f"@required {{{required}}}")
        lines += ["@returns(200) ok", ""]
    return "\n".join([*lines, "@end"]).encode() + b"\n"


def plan_of(text: bytes) -> Plan:
    result = read_spec(text)
    assert result.api is not None, [d.message for d in result.diagnostics]
    return build_plan(result.api, Config(), spec_name="v.lap", spec_bytes=text)


def test_variants_with_their_own_desc_are_named_from_it() -> None:
    plan = plan_of(
        spec(
            ("POST", "/search", "Search people", "q: str"),
            ("POST", "/search", "Search places", "q: str"),
        )
    )
    assert sorted(m.accessor for m in plan.all_methods()) == [
        "search.search_people",
        "search.search_places",
    ]
    assert plan.warnings == ()


def test_identical_variants_are_one_method_with_a_positioned_warning() -> None:
    plan = plan_of(
        spec(
            ("POST", "/items", None, "a: str"),
            ("POST", "/items", None, "a: str"),
            ("GET", "/items", None, None),
        )
    )
    assert sorted(m.accessor for m in plan.all_methods()) == ["items.create", "items.list"]
    (warning,) = plan.warnings
    assert warning.message == "POST /items repeats the endpoint at line 4; one method serves both"
    assert (warning.line, warning.column) == (8, 11)


def test_variants_differing_only_in_params_keep_the_numeric_last_resort() -> None:
    plan = plan_of(spec(("POST", "/items", None, "a: str"), ("POST", "/items", None, "b: str")))
    assert sorted(m.accessor for m in plan.all_methods()) == ["items.create", "items.create_2"]
    assert [w.message.split(";")[0] for w in plan.warnings] == ["items.create is taken"]


def test_a_clash_between_routes_names_the_later_one_from_its_desc() -> None:
    # DigitalOcean: `POST /droplets/actions` and `POST /droplets/{id}/actions` both create.
    plan = plan_of(
        spec(
            ("POST", "/v2/droplets/actions", "Acting on Tagged Droplets", None),
            ("POST", "/v2/droplets/{droplet_id}/actions", "Initiate a Droplet Action", None),
        )
    )
    by_route = {f"{m.http_method} {m.path}": m.accessor for m in plan.all_methods()}
    assert by_route == {
        "POST /v2/droplets/actions": "droplets.actions.create",
        "POST /v2/droplets/{droplet_id}/actions": "droplets.actions.initiate",
    }


def test_a_plural_noun_after_a_param_is_a_sub_collection_not_an_action() -> None:
    assert not names.path_action("POST", "/droplets/{id}/actions")
    assert not names.path_action("POST", "/orgs/{id}/members")
    assert names.path_action("POST", "/pulls/{n}/merge")
    assert names.path_action("POST", "/runs/{id}/cancel")


NOUNS = ["people", "places", "books", "authors", "orders", "images", "stopwords", "presets"]
VERBS = ["search", "create", "index", "import", "list", "find"]


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from(VERBS), st.sampled_from(NOUNS), st.booleans()),
        min_size=1,
        max_size=6,
    ),
    st.sampled_from(["POST", "GET", "PUT"]),
)
def test_every_variant_set_plans_to_distinct_methods_without_suffixes_when_descs_differ(
    variants: list[tuple[str, str, bool]], method: str
) -> None:
    """Any set of variants of one route: one method per distinct block; a numeric suffix only
    when two distinct blocks share a desc; every accessor unique."""
    blocks = [
        (method, "/collections", f"{verb.title()} {noun}", "a: str" if with_a else "b: str")
        for verb, noun, with_a in variants
    ]
    plan = plan_of(spec(*blocks))
    accessors = [m.accessor for m in plan.all_methods()]
    assert len(accessors) == len(set(accessors)) == len(set(blocks))
    descs = [desc for _, _, desc, _ in set(blocks)]
    if len(descs) == len(set(descs)):
        assert not any(re.search(r"_\d+$", a) for a in accessors), accessors
    repeats = [w for w in plan.warnings if "repeats the endpoint" in w.message]
    assert len(repeats) == len(blocks) - len(set(blocks))


def test_a_parenthesised_aside_is_not_part_of_the_name() -> None:
    # Typesense's Postman collection: without the aside, each desc is short enough to name.
    plan = plan_of(
        spec(
            ("POST", "/multi_search", "Search books with joined author (One-to-One)", "a: str"),
            ("POST", "/multi_search", "Search customers with joined orders (One-to-Many)", None),
        )
    )
    assert sorted(m.name for m in plan.all_methods()) == [
        "search_books_with_joined_author",
        "search_customers_with_joined_orders",
    ]
