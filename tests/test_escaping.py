"""generator/escape.py, the one boundary between spec/config/file-name text and generated files.

Each escape is proven on any Unicode text (lone surrogates included: file names carry them):
the result reads back as the original, holds only printable characters, and cannot end the
string it sits in. Names, versions, URLs and config values are checked the same way.
"""

from __future__ import annotations

import ast
import keyword
import tomllib
from pathlib import Path

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from packaging.version import Version

from generator import escape
from generator.cli import exit_code
from generator.config import ConfigError, load_config
from generator.naming import is_class_reserved, snake, type_name
from generator.pipeline import LoadError, load

# Any code point, surrogates included, weighted towards the characters that break things.
NASTY = "\"'\\{}#\n\r\t\x00\x1b\u202e\u2066\u200b\u200d\ufeff\u2028\u0085😀ｓ\udcff\ud800"
ANY_TEXT = st.text(st.sampled_from(NASTY) | st.characters(), max_size=60)


def _printable_source(source: str) -> bool:
    return all(char.isprintable() for char in source)


@given(ANY_TEXT)
def test_docstring_text_reads_back_and_never_ends_the_docstring(text: str) -> None:
    escaped = escape.docstring_text(text)
    assert _printable_source(escaped)
    # As the templates place it: alone, and between words, inside a docstring.
    assert ast.literal_eval(f'"""{escaped}"""') == " ".join(text.split())
    module = ast.parse(f'def f():\n    """{escaped} tail"""\n    return 1\n')
    assert len(module.body) == 1 and len(module.body[0].body) == 2  # type: ignore[attr-defined]


@given(ANY_TEXT)
def test_python_string_reads_back(text: str) -> None:
    literal = escape.python_string(text)
    assert _printable_source(literal)
    assert ast.literal_eval(literal) == text


@given(ANY_TEXT)
def test_fstring_text_reads_back(text: str) -> None:
    body = escape.fstring_text(text)
    assert _printable_source(body)
    tree = ast.parse(f'f"{body}"', mode="eval")
    assert eval(compile(tree, "<test>", "eval")) == text  # no names: a constant f-string


@given(ANY_TEXT)
def test_comment_text_is_one_printable_line_that_closes_no_comment(text: str) -> None:
    line = escape.comment_text(text)
    assert _printable_source(line) and "-->" not in line
    assert ast.parse(f"# {line}\nx = 1\n").body[0].lineno == 2  # type: ignore[attr-defined]


@given(ANY_TEXT)
def test_toml_string_parses_back_for_any_text(text: str) -> None:
    parsed = tomllib.loads(f"key = {escape.toml_string(text)}\n")["key"]
    expected = "".join("\ufffd" if 0xD800 <= ord(c) <= 0xDFFF else c for c in text)
    assert parsed == expected


def test_the_python_escapes_refuse_what_is_not_a_literal() -> None:
    with pytest.raises(TypeError):
        escape.python_string(object())


# ---------------------------------------------------------------------------------------------
# Names
# ---------------------------------------------------------------------------------------------

RESERVED_WORDS = sorted(
    set(keyword.kwlist)
    | set(keyword.softkwlist)
    | escape.BUILTINS
    | escape.RUNTIME_NAMES
    | escape.SIGNATURE_NAMES
)
NAMES = st.sampled_from(RESERVED_WORDS) | ANY_TEXT


@given(NAMES)
def test_names_are_ascii_and_clear_of_reserved_names(wire: str) -> None:
    name = snake(wire)
    assert name.isascii() and name.isidentifier(), name
    assert name not in escape.NAME_RESERVED and not keyword.issoftkeyword(name)
    compile(f"def f({name}):\n    return {name}\n", "<test>", "exec")


@given(NAMES)
def test_type_names_are_ascii_capitalised_identifiers(wire: str) -> None:
    name = type_name(wire)
    assert name.isascii() and name.isidentifier() and name[0].isupper(), name
    assert not keyword.iskeyword(name) or is_class_reserved(name)
    assert not name.startswith("ClassVar")  # attrs would skip fields annotated with it


def test_type_names_fold_as_python_does() -> None:
    # Python reads `class Uｓer` as `class User`: the plan must see the clash to number it.
    assert type_name("Uｓer") == type_name("User") == "User"
    assert type_name("google.rpc.Status") == "GoogleRpcStatus"
    assert type_name("ClassVar") == type_name("class_var") == "MClassVar"
    assert is_class_reserved(type_name("None"))
    assert snake("ｉｄ") == "id" and snake("attrs") == "attrs_"
    assert snake("list") == "list"  # `client.users.list` stays: annotations use typing.List


# ---------------------------------------------------------------------------------------------
# Versions, URLs, header names
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "version"),
    [
        ("2022-11-28", "2022.11.28"),
        ("v3", "3"),
        ("1.0-SNAPSHOT", "1.0.dev0"),
        ("1.0.0", "1.0.0"),
        ("3.0.0-beta.2", "3.0.0b2"),
        ("latest", "0+latest"),
        ("😀", "0"),
    ],
)
def test_versions_become_pep_440(raw: str, version: str) -> None:
    assert escape.pep440_version(raw) == version


@given(ANY_TEXT)
def test_every_version_becomes_a_canonical_pep_440_version(raw: str) -> None:
    version = escape.pep440_version(raw)
    assert str(Version(version)) == version and version.isascii()


@given(
    st.builds(
        "{}://{}{}".format,
        st.sampled_from(["http", "https", "ftp", "HTTPS", "javascript"]),
        ANY_TEXT,
        ANY_TEXT,
    )
    | ANY_TEXT
)
def test_urls_are_ascii_http_urls_or_refused(url: str) -> None:
    result = escape.ascii_url(url)
    if result is not None:
        assert result.isascii() and result.isprintable()
        parsed = httpx.URL(result)
        assert parsed.scheme in ("http", "https") and parsed.host
        # A base URL: a path appended to it stays the URL's path.
        assert (parsed.query, parsed.fragment) == (b"", "") and not {"?", "#"} & set(result)


def test_unicode_urls_are_encoded_or_refused() -> None:
    assert escape.ascii_url("https://bücher.example/ü/é") == (
        "https://xn--bcher-kva.example/%C3%BC/%C3%A9"
    )
    assert escape.ascii_url("https://api.😀.example/") is None  # not a host under IDNA 2008


@pytest.mark.parametrize(
    "url", ["https://api.example/v1?key=k", "https://api.example/v1#top", "http://h/?", "http://h#"]
)
def test_a_base_url_with_a_query_or_fragment_is_refused(url: str) -> None:
    """The client appends each path to its base URL: behind a `?` or `#` it would be lost."""
    assert escape.ascii_url(url) is None


@given(ANY_TEXT)
def test_header_names_are_what_httpx_can_send(name: str) -> None:
    if escape.is_header_name(name):
        httpx.Request("GET", "http://x", headers={name: "v"})


# ---------------------------------------------------------------------------------------------
# Config values: refused with the file and the key
# ---------------------------------------------------------------------------------------------


def _config(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "api.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("name", ["httpx", "attrs", "anyio", "sys", "json", "ñame", "class", "_x"])
def test_package_names_that_shadow_or_are_not_ascii_are_refused(tmp_path: Path, name: str) -> None:
    path = _config(tmp_path, f"[package]\nname = {escape.toml_string(name)}\n")
    with pytest.raises(ConfigError, match=r"api\.toml: error: package\.name: "):
        load_config(path)


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ('[[auth.params]]\nname = "self"\nenv = "X"\n', "auth.params[0].name"),
        ('[[auth.params]]\nname = "dict"\nenv = "X"\n', "auth.params[0].name"),
        ('[[auth.params]]\nname = "a b"\nenv = "X"\n', "auth.params[0].name"),
        ('[[auth.params]]\nname = "key"\nenv = "X Y"\n', "auth.params[0].env"),
        ('[auth]\nkey_name = "X-😀"\n', "auth.key_name"),
        ('[auth]\nkind = "magic"\n', "auth.kind"),
        ('[auth.environment_from]\nparam = "os"\n', "auth.environment_from.param"),
        ('[environments]\nlive = "https://api.😀.example"\n', "environments.live"),
        ('[servers]\nfiles = "file:///etc"\n', "servers.files"),
        ('[endpoints."GET /x"]\naccessor = "users.__class__"\n', "accessor"),
        ('[endpoints."GET /x"]\naccessor = "a.import"\n', "accessor"),
    ],
)
def test_config_values_that_reach_code_are_refused(tmp_path: Path, text: str, key: str) -> None:
    with pytest.raises(ConfigError) as error:
        load_config(_config(tmp_path, text))
    assert str(error.value).startswith(f"{tmp_path / 'api.toml'}: error: ")
    assert key in str(error.value)


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=st.sampled_from(RESERVED_WORDS) | ANY_TEXT)
def test_any_auth_param_name_is_refused_or_a_safe_name(tmp_path: Path, name: str) -> None:
    text = f'[[auth.params]]\nname = {escape.toml_string(name)}\nenv = "TOKEN"\n'
    try:
        config = load_config(_config(tmp_path, text))  # overwritten by each example
    except ConfigError as error:
        assert "auth.params[0].name" in str(error)
        return
    accepted = config.auth_params[0].name
    assert escape.is_snake_identifier(accepted) and accepted not in escape.NAME_RESERVED


def test_a_header_placement_for_a_name_httpx_cannot_send_is_an_error(tmp_path: Path) -> None:
    spec = tmp_path / "api.lap"
    spec.write_text(
        "@lap v0.3\n@api A\n@endpoints 1\n\n@endpoint GET /x\n"
        "@optional {X-Ünicode: str, Bad Name: str}\n@returns(200) {a: str}\n\n@end\n",
        encoding="utf-8",
    )
    loaded = load(spec)  # without a placement, neither name is header-shaped
    assert {p.location for p in next(loaded.plan.all_methods()).params} == {"query"}
    config = _config(tmp_path, '[endpoints."GET /x"]\nplacement = { "Bad Name" = "header" }\n')
    with pytest.raises(LoadError) as error:
        load(spec, config)
    assert exit_code(error.value) == 1
    assert "api.lap:6:" in str(
        error.value
    ) and "'Bad Name' cannot be sent as an HTTP header name" in str(error.value)


def test_a_url_holding_a_lone_surrogate_is_refused() -> None:
    assert escape.ascii_url("http://0#\udcff") is None
    assert escape.ascii_url("https://api.example/\ud800path") is None
