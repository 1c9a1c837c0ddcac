"""A config typo is an error naming the file and the key, never a setting silently ignored."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator import errors
from generator.cli import exit_code
from generator.config import _KEYS
from generator.pipeline import load

SPEC = (
    "@lap v0.3\n@api Typos\n@endpoints 1\n@group g\n@endpoint GET /a/{id}\n"
    "@optional {q: str}\n@returns(200) {a: int}\n@endgroup\n@end\n"
)
# Where a key can be mistyped: the TOML that holds it, with {key} for the key.
PLACES = {
    "": "{key} = 1\n",
    "package": "[package]\n{key} = 'x'\n",
    "auth": "[auth]\n{key} = 'x'\n",
    "auth.environment_from": "[auth.environment_from]\n{key} = 'x'\n",
    "auth.params": "[[auth.params]]\nname = 'token'\nenv = 'T'\n{key} = 'x'\n",
    "groups.*": "[groups.g]\n{key} = 'x'\n",
    "endpoints.*": "[endpoints.\"GET /a/{{id}}\"]\n{key} = 'x'\n",
}
KEYS = st.text("abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=12)


def plan_with(tmp_path: Path, toml: str) -> None:
    spec = tmp_path / "api.lap"
    spec.write_text(SPEC, "utf-8")
    spec.with_suffix(".toml").write_text(toml, "utf-8")
    load(spec)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(place=st.sampled_from(sorted(PLACES)), key=KEYS)
def test_an_unknown_key_anywhere_is_an_error_naming_it(
    place: str, key: str, tmp_path: Path
) -> None:
    if key in _KEYS[place]:
        return  # a real key: not a typo
    with pytest.raises(errors.ConfigError) as caught:
        plan_with(tmp_path, PLACES[place].format(key=key))
    assert exit_code(caught.value) == 2
    assert f"{key}: unknown key" in str(caught.value)
    assert str(tmp_path / "api.toml") in str(caught.value)


@pytest.mark.parametrize(
    ("toml", "words"),
    [
        (
            '[endpoints."GET /nope"]\naccessor = "x.y"\n',
            'endpoints."GET /nope": matches no endpoint',
        ),
        ('[endpoints."get /a/{id}"]\naccessor = "x.y"\n', "METHOD in capitals"),
        ('[endpoints."GET /a/{id}"]\nplacement = { nope = "query" }\n', "'nope' is not a param"),
    ],
)
def test_a_route_or_param_the_spec_lacks_is_an_error(tmp_path: Path, toml: str, words: str) -> None:
    with pytest.raises(errors.ConfigError) as caught:
        plan_with(tmp_path, toml)
    assert words in str(caught.value)


def test_known_keys_still_work(tmp_path: Path) -> None:
    plan_with(
        tmp_path,
        '[package]\nname = "typos_sdk"\n[endpoints."GET /a/{id}"]\naccessor = "things.fetch"\n'
        'placement = { q = "header" }\n',
    )
