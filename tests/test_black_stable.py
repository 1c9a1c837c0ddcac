"""Black is the oracle for what generate no longer formats (issue 12, part 1).

Files of templates marked ``{# black-stable #}`` and the static runtime skip black, so each of
them must already be black's output: ``black.format_str(text) == text`` for the raw render of
Stytch, every golden fixture, every real LAP file and hypothesis-drawn specs and configs whose
names, URLs and versions are long enough to force every layout decision. The layout helpers
(``generator.layout``) are checked against black directly, and ``names_read`` (the regex scan
behind ``import_block``) against the parse it replaced.
"""

from __future__ import annotations

import ast
import keyword
import subprocess
import sys
import textwrap
from pathlib import Path

import black
import pytest
from conftest import REPO, SPEC_FILES
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from test_hostile_generate import hostile_projects

import generator.output.formatting as formatting
from generator import layout
from generator.errors import LapgenError, SpecError
from generator.escape import python_string, toml_string
from generator.output import BLACK_MODE, MANIFEST
from generator.pipeline import load
from generator.planner.types import MAX_CLASS_NAME
from generator.render import (
    BLACK_STABLE_MARK,
    RUNTIME_MODULES,
    names_read,
    render_files,
    render_marked,
)

FIXTURE_SPECS = sorted((REPO / "tests" / "fixtures").glob("*.lap"))
TEMPLATES = REPO / "templates" / "sdk"
# The templates this branch made stable; models and resources follow the same marker.
SMALL_TEMPLATES = ["_client.py", "__init__.py", "_provenance.py", "resources__init__.py"]


def unstable_files(files: dict[str, str], stable: frozenset[str]) -> list[str]:
    """The rendered marked files black would change, with the first line that differs.

    The runtime modules are the same in every SDK: checked once, by the test below.
    """
    problems = []
    for path in sorted(stable):
        if path.rsplit("/", 1)[-1] in RUNTIME_MODULES:
            continue
        text = files[path]
        formatted = black.format_str(text, mode=BLACK_MODE)
        if formatted != text:
            old, new = text.splitlines(), formatted.splitlines()
            line = next(
                (i for i, (a, b) in enumerate(zip(old, new, strict=False)) if a != b), len(new)
            )
            problems.append(f"{path}:{line + 1}: {old[line:line + 1]} -> {new[line:line + 1]}")
    return problems


def test_the_runtime_below_its_header_is_black_code() -> None:
    files, stable = render_marked(load(REPO / "tests" / "fixtures" / "apikey_query.lap").plan)
    runtime = [path for path in stable if path.rsplit("/", 1)[-1] in RUNTIME_MODULES]
    assert len(runtime) == len(RUNTIME_MODULES)
    for path in runtime:
        assert black.format_str(files[path], mode=BLACK_MODE) == files[path], path


def test_the_small_templates_and_the_runtime_are_marked() -> None:
    for name in SMALL_TEMPLATES:
        first = (TEMPLATES / f"{name}.jinja").read_text("utf-8").splitlines()[0]
        assert first == BLACK_STABLE_MARK, name
    files, stable = render_marked(load(FIXTURE_SPECS[0]).plan)
    package = next(path.split("/")[0] for path in stable)
    for module in (TEMPLATES / "runtime").glob("*.py"):
        assert f"{package}/{module.name}" in stable


@pytest.mark.parametrize(
    "spec", [*FIXTURE_SPECS, *SPEC_FILES], ids=lambda path: path.relative_to(REPO).as_posix()
)
def test_marked_files_are_black_stable_for_every_real_spec(spec: Path) -> None:
    try:
        plan = load(spec).plan
    except SpecError as error:  # a non-HTTP dialect: refused with a message, nothing rendered
        assert error.diagnostics
        return
    files, stable = render_marked(plan)
    assert {f"{plan.package}/{name.replace('__init', '/__init')}" for name in SMALL_TEMPLATES}
    assert unstable_files(files, stable) == []


# ---------------------------------------------------------------------------------------------
# Drawn specs and configs
# ---------------------------------------------------------------------------------------------

# Names and URLs of any length (0 to about 100 columns), drawn so that failures shrink fast.
WORDS = st.builds(lambda size, char: char * size, st.integers(1, 70), st.sampled_from("abxy"))
URLS = st.builds(
    lambda host, path: f"https://{'h' * host}.example/{'p' * path}",
    st.integers(1, 40),
    st.integers(0, 90),
)
VERSIONS = st.builds(lambda size: "1." + "0" * size, st.integers(0, 90))


@st.composite
def layout_projects(draw: st.DrawFn) -> tuple[str, str]:
    """(spec, config) whose names and URLs land on either side of every line-length limit."""
    groups = draw(st.lists(WORDS, min_size=1, max_size=3, unique=True))
    endpoints = "\n".join(
        f"@group {group}\n@endpoint GET /{group}\n@returns(200) {{id: str}}\n@endgroup\n"
        for group in groups
    )
    spec = (
        f"@lap v0.3\n@api Drawn\n@base {draw(URLS)}\n@version 1\n@auth Bearer token\n"
        f"@endpoints {len(groups)}\n@toc "
        + ", ".join(f"{group}(1)" for group in groups)
        + f"\n\n{endpoints}\n@end\n"
    )
    kind = draw(st.sampled_from(["basic", "bearer", "apikey-header", "apikey-query"]))
    count = 2 if kind == "basic" else 1
    params = draw(st.lists(WORDS, min_size=count, max_size=count, unique=True))
    envs = draw(st.dictionaries(WORDS, URLS, max_size=3))
    lines = [
        "[package]",
        f"name = {toml_string(draw(WORDS))}",
        f"version = {toml_string(draw(VERSIONS))}",
        "[auth]",
        f'kind = "{kind.split("-")[0]}"',
        "params = ["
        + ", ".join(
            f"{{ name = {toml_string(param)}, env = {toml_string(param.upper() * 3)} }}"
            for param in params
        )
        + "]",
    ]
    if kind.startswith("apikey"):
        lines += [f"key_name = {toml_string('X-' + draw(WORDS))}", f'key_in = "{kind[7:]}"']
    if envs and draw(st.booleans()):
        prefixes = draw(st.lists(WORDS, min_size=1, max_size=3, unique=True))
        names = list(envs)
        lines += [
            "[auth.environment_from]",
            f"param = {toml_string(params[0])}",
            "prefixes = { "
            + ", ".join(
                f"{toml_string(prefix + '-' * 20)} = {toml_string(names[i % len(names)])}"
                for i, prefix in enumerate(prefixes)
            )
            + " }",
        ]
    if envs:
        lines += [
            "[environments]",
            *(f"{toml_string(k)} = {toml_string(v)}" for k, v in envs.items()),
        ]
    servers = draw(st.dictionaries(WORDS, URLS, max_size=2))
    if servers:
        lines += [
            "[servers]",
            *(f"{toml_string(k)} = {toml_string(v)}" for k, v in servers.items()),
        ]
    return spec, "\n".join(lines) + "\n"


def render_drawn(tmp_path: Path, spec: str, config: str | None, name: str = "drawn.lap") -> None:
    spec_path = tmp_path / name
    spec_path.write_text(spec, encoding="utf-8", errors="surrogateescape")
    config_path = None
    if config is not None:
        config_path = tmp_path / "drawn.toml"
        config_path.write_text(config, encoding="utf-8")
    try:
        plan = load(spec_path, config_path).plan
    except LapgenError:
        assume(False)
        raise
    files, stable = render_marked(plan)
    assert unstable_files(files, stable) == []


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(project=layout_projects())
def test_marked_files_are_black_stable_for_long_names_and_urls(
    project: tuple[str, str], tmp_path_factory: pytest.TempPathFactory
) -> None:
    render_drawn(tmp_path_factory.mktemp("layout"), *project)


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(project=hostile_projects())
def test_marked_files_are_black_stable_for_hostile_text(
    project: tuple[str, str, str | None], tmp_path_factory: pytest.TempPathFactory
) -> None:
    name, spec, config = project
    render_drawn(tmp_path_factory.mktemp("hostile"), spec, config, name)


# ---------------------------------------------------------------------------------------------
# The layout helpers against black
# ---------------------------------------------------------------------------------------------

ATOMS = st.one_of(
    st.from_regex(r"[a-z_][a-z0-9_]{0,60}", fullmatch=True).filter(
        lambda name: not keyword.iskeyword(name)
    ),
    st.text(st.characters(exclude_categories=["Cs"]), max_size=90).map(python_string),
)


def is_bindable(name: str) -> bool:
    """A name Python lets code bind (import, define, pass as a keyword): not a keyword, and
    not ``__debug__``, which the regexes below can spell but no statement may assign."""
    return not keyword.iskeyword(name) and name != "__debug__"


NAMES = st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,70}", fullmatch=True).filter(is_bindable)


@st.composite
def groups(draw: st.DrawFn, depth: int = 2, role: str = "statement") -> layout.Group:
    """A call, a dict or a tuple of atoms and smaller groups.

    ``role``: a statement (``name = {...}``), a keyword argument (``name={...}``) or an item.
    """
    # A bare tuple is not a statement any template writes: drawn only as an item or argument.
    kind = draw(st.sampled_from(["call", "dict", *(["tuple"] if role != "statement" else [])]))
    head = draw(NAMES)
    if kind == "dict":
        items = draw(st.lists(st.tuples(ATOMS, ATOMS), min_size=1, max_size=3))
        opening = {"statement": f"{head} = {{", "keyword": f"{head}={{", "item": "{"}[role]
        return layout.group(opening, *(f"{k}: {v}" for k, v in items), close="}")
    inner = groups(depth - 1, "item") if depth else ATOMS
    if kind == "tuple" and draw(st.booleans()):
        return layout.group("(", draw(st.one_of(ATOMS, inner)), one_tuple=True)
    items = draw(st.lists(st.one_of(ATOMS, inner), min_size=2, max_size=4))
    exploded = draw(st.booleans())
    return layout.group(f"{head}(" if kind == "call" else "(", *items, exploded=exploded)


def nested(indent: int, line: str) -> str:
    """``line`` (already indented) inside enough ``if`` blocks to sit at ``indent``."""
    return "".join(f"{'    ' * level}if x:\n" for level in range(indent // 4)) + line + "\n"


def assert_black_keeps(code: str, flat: str) -> None:
    assert black.format_str(code, mode=BLACK_MODE) == code
    assert ast.dump(ast.parse(code)) == ast.dump(ast.parse(flat))  # the layout changed nothing


@settings(max_examples=60, deadline=None)
@given(construct=groups(), indent=st.sampled_from([0, 4, 8, 12]))
def test_layout_of_a_statement_is_what_black_keeps(construct: layout.Group, indent: int) -> None:
    pad = " " * indent
    code = nested(indent, pad + layout.layout(indent, construct))
    assert_black_keeps(code, nested(indent, pad + construct.flat()))


@settings(max_examples=60, deadline=None)
@given(construct=groups(role="keyword"), indent=st.sampled_from([4, 8, 12]))
def test_layout_of_an_item_is_what_black_keeps(construct: layout.Group, indent: int) -> None:
    """An item of an exploded call: ``_settings(...),`` in ``super().__init__(...)``."""
    outer = " " * (indent - 4)
    item = " " * indent + layout.layout(indent, construct, ",")
    code = nested(indent - 4, f"{outer}f(\n{item}\n{outer})")
    assert_black_keeps(code, nested(indent - 4, f"{outer}f({construct.flat()})"))


@settings(max_examples=150, deadline=None)
@given(
    target=st.sampled_from(["X", "__version__", "USER_AGENT: Final", "URL: Final[str | None]"]),
    value=ATOMS,
)
def test_assignment_is_what_black_keeps(target: str, value: str) -> None:
    text = layout.assignment(target, value, annotated=":" in target)
    assert_black_keeps(text + "\n", f"{target} = {value}\n")


@settings(max_examples=100, deadline=None)
@given(
    module=st.from_regex(r"[a-z_]{1,80}", fullmatch=True)
    .filter(lambda name: not keyword.iskeyword(name))
    .map(lambda name: "." + name),
    names=st.lists(NAMES, min_size=1, max_size=3, unique=True),
    indent=st.sampled_from([0, 4, 8]),
)
def test_import_from_is_what_black_keeps(module: str, names: list[str], indent: int) -> None:
    text = " " * indent + layout.import_from(indent, module, *names)
    flat = " " * indent + f"from {module} import {', '.join(names)}"
    assert_black_keeps(nested(indent, text), nested(indent, flat))


@given(text=st.text(st.sampled_from("\"'\\ab") | st.characters(), max_size=20))
def test_python_strings_are_quoted_as_black_quotes_them_and_keep_the_value(text: str) -> None:
    quoted = python_string(text)
    assert ast.literal_eval(quoted) == text
    code = f"x = {quoted}\n"
    assert black.format_str(code, mode=BLACK_MODE) == code


# ---------------------------------------------------------------------------------------------
# Generate: what black still runs on, and that it is not needed otherwise
# ---------------------------------------------------------------------------------------------


def test_generate_formats_no_chunk_of_a_marked_file_and_always_changes_nothing(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("LAPGEN_CACHE_DIR", str(tmp_path / "cache"))
    plan = load(REPO / "tests" / "fixtures" / "apikey_query.lap").plan
    files, stable = render_marked(plan)
    formatted: list[str] = []
    real = formatting._format_chunk

    def recording(chunk: str) -> str:
        formatted.append(chunk)
        return real(chunk)

    monkeypatch.setattr(formatting, "_format_chunk", recording)
    auto = render_files(plan)
    stable_chunks = {
        chunk for path in stable for chunk in formatting._TOP_LEVEL_BOUNDARY.split(files[path])
    }
    assert stable and not stable_chunks & set(formatted)
    formatted.clear()
    monkeypatch.setenv("LAPGEN_CACHE_DIR", str(tmp_path / "other-cache"))
    always = render_files(plan, black="always")
    assert stable_chunks & set(formatted)  # now black did see them ...
    assert always == auto  # ... and changed nothing, the manifest included
    assert MANIFEST in auto


def test_black_is_not_imported_when_every_file_is_stable() -> None:
    code = textwrap.dedent("""
        import sys
        from generator.output import format_files
        result = format_files({"a.py": "x = 1\\n", "b.md": "# b\\n"}, stable={"a.py"})
        assert result.files["a.py"] == "x = 1\\n" and result.formatted == 0
        print(sorted(name for name in sys.modules if name.split(".")[0] == "black"))
        """)
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, check=True
    )
    assert done.stdout.strip() == "[]"


# ---------------------------------------------------------------------------------------------
# names_read: one regex pass, the same answer as the parse
# ---------------------------------------------------------------------------------------------

IDENTIFIERS = st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,8}", fullmatch=True).filter(
    lambda name: is_bindable(name) and name not in ("f", "r", "b", "u", "rb", "br")
)


@st.composite
def statements(draw: st.DrawFn) -> str:
    name, other = draw(IDENTIFIERS), draw(IDENTIFIERS)
    forms = [
        f"v = {name}",
        f"v = {name}.{other}",
        f"v = {name} . {other}",
        f'v = "{other} # {other}"',
        f"v = '{other}'  # {other} \"",
        f'v = """\n{other} \\""" {other}\n"""',
        f'v = f"{{{name}}} {{{{{other}}}}}"',
        f"v = f\"{{{name}('{other}')!r:>10}}\"",
        f"v = rb'\\' {other}'",
        f"v = 1e5 + {name}[0x{len(other)}]",
        f"def {other}(a: {name}) -> {name}.{other}: ...",
    ]
    return draw(st.sampled_from(forms))


@given(st.lists(statements(), min_size=1, max_size=8))
def test_names_read_agrees_with_the_parse(lines: list[str]) -> None:
    code = "\n".join(lines) + "\n"
    parsed = {node.id for node in ast.walk(ast.parse(code)) if isinstance(node, ast.Name)}
    found = names_read(code) - set(keyword.kwlist) - {"v", "a"}
    assert found == parsed - {"v", "a"}


# -- long field lines in models.py -----------------------------------------------------------

SNAKE_WORDS = st.sampled_from(
    ["notification", "preferences", "of", "scheduled", "reports", "x", "org"]
)
SNAKE = st.lists(SNAKE_WORDS, min_size=1, max_size=12).map("_".join)
# Up to 80 columns: black's choices for longer names are not all modelled (layout.field).


def _within(words: list[str], limit: int = 80) -> str:
    """The leading words, joined by ``_``, that fit in ``limit`` columns (at least one)."""
    name = words[0]
    for word in words[1:]:
        if len(name) + 1 + len(word) > limit:
            break
        name += "_" + word
    return name


# Built within 80 columns rather than filtered (a filter gave up on 27% of the draws).
FIELD_NAMES = st.lists(SNAKE_WORDS, min_size=1, max_size=12).map(_within)
CJK_WIRE = st.text(st.sampled_from("通知設定報告ab"), min_size=1, max_size=40)


@st.composite
def lap_types(draw: st.DrawFn, depth: int = 2, field: bool = True) -> str:
    """A LAP type: scalars, enums, refs, arrays, dictionaries and inline objects; a field's own
    type maybe null (``T?``), which LAP allows only there: never inside ``[…]`` or ``map<…>``
    (a ``?`` there made the front end refuse 39% of the drawn specs)."""
    leaves = [
        st.sampled_from(["str", "int", "bool", "any", "Report"]),
        st.lists(SNAKE, min_size=1, max_size=5, unique=True).map(
            lambda values: f"enum({'/'.join(values)})"
        ),
    ]
    if depth:
        inner = lap_types(depth - 1, field=False)
        leaves += [
            inner.map(lambda item: f"[{item}]"),
            inner.map(lambda item: f"map<str,{item}>"),
            st.tuples(SNAKE, lap_types(depth - 1)).map(lambda f: f"map{{{f[0]}: {f[1]}}}"),
        ]
    return draw(st.one_of(leaves)) + (draw(st.sampled_from(["", "?"])) if field else "")


@st.composite
def long_field_specs(draw: st.DrawFn) -> str:
    """A spec whose model fields have long names, long annotations, and CJK wire names."""
    names = draw(st.lists(FIELD_NAMES | CJK_WIRE, min_size=1, max_size=5, unique=True))
    fields = ", ".join(
        f"{name}{'!' if draw(st.booleans()) else ''}: {draw(lap_types())}" for name in names
    )
    return (
        "@lap v0.3\n@api Drawn\n@base https://a.example\n@version 1\n@auth Bearer token\n"
        "@endpoints 1\n@toc things(1)\n\n@type Report {id: str}\n\n@group things\n"
        f"@endpoint GET /things\n@returns(200) {{id: str, thing: map{{{fields}}}}}\n"
        "@endgroup\n\n@end\n"
    )


def test_the_reported_long_field_line_is_black_stable(tmp_path: Path) -> None:
    """The reviewer's spec: a map field whose annotation and name pass 100 columns."""
    spec = (
        "@lap v0.3\n@api Drawn\n@base https://a.example\n@version 1\n@auth Bearer token\n"
        "@endpoints 1\n@toc things(1)\n\n@group things\n@endpoint GET /things\n"
        "@returns(200) {id: str, notification_preferences_for_scheduled_reports: "
        "map{email: str}, 通知設定通知設定通知設定通知設定通知設定通知設定通知設定通知設定: str}\n"
        "@endgroup\n\n@end\n"
    )
    render_drawn(tmp_path, spec, None)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(spec=long_field_specs())
def test_models_with_long_field_lines_are_black_stable(
    spec: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    render_drawn(tmp_path_factory.mktemp("fields"), spec, None)


# A model class name as the planner makes one: never longer than MAX_CLASS_NAME (a bare name
# longer than a line is nothing models.py prints; a deep run drew a 96-column one).
CLASS_NAMES = SNAKE.map(lambda name: name.title().replace("_", "")[:MAX_CLASS_NAME])


@st.composite
def annotations(draw: st.DrawFn, depth: int = 3) -> str:
    """A models.py annotation: model names, Dict/List nesting, Literals, ``| None``."""
    leaves = [
        st.sampled_from(["str", "int", "Any"]),
        CLASS_NAMES,
        st.lists(SNAKE | CJK_WIRE, min_size=1, max_size=5).map(
            lambda values: f"Literal[{', '.join(map(python_string, values))}]"
        ),
    ]
    if depth:
        inner = annotations(depth - 1)
        leaves += [inner.map(lambda t: f"List[{t}]"), inner.map(lambda t: f"Dict[str, {t}]")]
    return draw(st.one_of(leaves)) + draw(st.sampled_from(["", " | None"]))


@settings(max_examples=300, deadline=None)
@given(
    name=FIELD_NAMES,
    annotation=annotations(),
    required=st.booleans(),
    wire=st.none() | CJK_WIRE,
)
def test_field_lines_are_what_black_keeps(
    name: str, annotation: str, required: bool, wire: str | None
) -> None:
    """``layout.field`` for every field shape models.py prints, held to black itself."""
    value = "" if required else "UNSET"
    if not required:
        annotation += " | Unset"
    if wire is not None:
        default = "" if required else "default=UNSET, "
        value = f'attrs.field({default}metadata={{"wire": {python_string(wire)}}})'
    code = f"class A:\n{layout.field(name, annotation, value)}\n"
    assert black.format_str(code, mode=BLACK_MODE) == code
    flat = f"{name}: {annotation}" + (f" = {value}" if value else "")
    assert ast.dump(ast.parse(code).body[0]) == ast.dump(
        ast.parse(f"class A:\n    {flat}\n").body[0]
    )


def test_a_field_name_beyond_the_layout_limit_leaves_models_py_to_black(tmp_path: Path) -> None:
    """`layout.field` is exact up to FIELD_NAME_LIMIT columns; a longer attribute name makes
    models.py go through black, so auto and always still write the same bytes."""
    name = "field_" + "x" * layout.FIELD_NAME_LIMIT
    spec = tmp_path / "long.lap"
    spec.write_text(
        "@lap v0.3\n@api Long\n@base https://long.example\n@endpoints 1\n\n"
        f"@endpoint GET /things\n@desc Get things\n@returns(200) {{id: str, {name}: map{{a: str}}}}"
        "\n\n@end\n"
    )
    plan = load(spec).plan
    _files, stable = render_marked(plan)
    assert f"{plan.package}/models.py" not in stable
    assert render_files(plan) == render_files(plan, black="always")
