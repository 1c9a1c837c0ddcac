"""``variants.repeats`` compares whole endpoints only within a route: the same answer as
comparing every endpoint with every earlier one."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from generator import ir, variants


def naive_repeats(endpoints: list[ir.Endpoint]) -> dict[int, ir.Endpoint]:
    found: dict[int, ir.Endpoint] = {}
    for index, endpoint in enumerate(endpoints):
        for earlier in endpoints[:index]:
            if variants.shape(earlier) == variants.shape(endpoint):
                found[id(endpoint)] = earlier
                break
    return found


FIELD = ir.Field("q", ir.TypeSpec(ir.Primitive("str")), ir.Pos(1, 1))
endpoints = st.builds(
    lambda method, path, desc, group, with_param, line: ir.Endpoint(
        method=method,
        path=path,
        pos=ir.Pos(line, 1),
        group=group,
        desc=desc,
        required=(FIELD,) if with_param else (),
    ),
    st.sampled_from(["GET", "POST"]),
    st.sampled_from(["/a", "/a/{id}", "/b"]),
    st.sampled_from([None, "Search people", "Search places"]),
    st.sampled_from([None, "g", "h"]),  # the group does not make a variant different
    st.booleans(),
    st.integers(1, 1000),
)


@given(st.lists(endpoints, max_size=12))
def test_repeats_are_found_as_by_comparing_every_pair(found: list[ir.Endpoint]) -> None:
    assert variants.repeats(found) == naive_repeats(found)
