"""Hostile specs, file names and configs, generated end to end: the output is inert and works.

Hypothesis draws names (keywords, builtins, the generated modules' own names, NFKC look-alikes,
dotted type names), texts (quotes, backslashes, bidi and zero-width characters, emoji, code)
and versions into a small spec and config, generates in process and asserts that:

- every generated ``.py`` file compiles, holds only printable characters, and its module body
  is only imports, definitions and assignments (nothing runs at import);
- ``pyproject.toml`` parses and its version is PEP 440;
- in a subprocess with an audit hook that refuses processes, sockets and file writes,
  importing the package runs nothing and every method sends its request through an
  ``httpx.MockTransport``.

``HOSTILE_EXAMPLES`` (default 12) sets the number of examples: ``nox -s hostile`` runs more.
"""

from __future__ import annotations

import ast
import builtins
import json
import keyword
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from packaging.version import Version

from generator.escape import RUNTIME_NAMES, SIGNATURE_NAMES, package_name_problem, toml_string
from generator.pipeline import Loaded, LoadError, load
from generator.planner.annotations import Annotation, Nullable, Scalar
from generator.render import render_files

EXAMPLES = int(os.environ.get("HOSTILE_EXAMPLES", "12"))
REPO = Path(__file__).resolve().parents[1]

# Names that broke the SDK as fields, params, path segments or type names.
HOSTILE_NAMES = sorted(
    set(keyword.kwlist)
    | set(keyword.softkwlist)
    | {name for name in dir(builtins) if not name.startswith("__")}
    | RUNTIME_NAMES
    | SIGNATURE_NAMES
    | {"models", "resources", "errors", "with_raw_response", "iter_pages", "Uｓer", "ｉd", "𝐢d"}
    - {"_"}  # a bare `_` is the LAP name of nothing
)
TYPE_NAMES = [
    "None",
    "True",
    "False",
    "Exception",
    "Any",
    "Dict",
    "Self",
    "Mapping",
    "Unset",
    "int",
    "attrs",
    "class",
    "User",
    "Uｓer",
    "google.rpc.Status",
    "a.b.c",
]
# Characters that have broken generated source: quotes, backslashes, bidi, zero-width, emoji.
HOSTILE_CHARS = "\"'\\`$;()<>!?=+*~|&%^@" + "\u202e\u2066\u200b\u200d\ufeff\u00a0\u2028é😀ｓ"
TEXT = st.text(
    alphabet=st.sampled_from(HOSTILE_CHARS)
    | st.characters(codec="utf-8", exclude_characters=",{}#\n\r"),
    max_size=40,
)
# A character that is not white space (str.isspace: categories Z* and some of Cc).
VISIBLE = st.characters(
    codec="utf-8", exclude_categories=["Zs", "Zl", "Zp", "Cc"], exclude_characters=",{}#"
)
# One line of spec text: no line breaks (they end a directive), not blank. Built so rather than
# filtered: a filter on TEXT (empty a third of the time) gave up on whole test cases.
LINE = st.tuples(TEXT, VISIBLE, TEXT).map(lambda parts: " ".join("".join(parts).splitlines()))
PAYLOADS = [
    '"""; __import__("os").system("touch PWNED"); """',
    "'''; __import__('os').system('touch PWNED'); '''",
    '\\"""\\',
    "\u202e }; import os #",
    "-->",
]
FIELD_NAME_CHARS = st.characters(
    codec="utf-8", exclude_categories=["Cc", "Zs", "Zl", "Zp"], exclude_characters=",{}#:!?=[]()<>"
)


def _field_names() -> st.SearchStrategy[str]:
    drawn = st.text(alphabet=FIELD_NAME_CHARS, min_size=1, max_size=10)
    return st.sampled_from(HOSTILE_NAMES) | drawn


def _path_names() -> st.SearchStrategy[str]:
    return st.sampled_from(HOSTILE_NAMES) | st.from_regex(
        r"[A-Za-z_][A-Za-z0-9_]{0,8}", fullmatch=True
    )


@st.composite
def hostile_projects(draw: st.DrawFn) -> tuple[str, str, str | None]:
    """(file name, spec text, config text or None)."""
    title = draw(st.sampled_from(PAYLOADS) | LINE)
    version = draw(
        st.sampled_from(["2022-11-28", "v3", "1.0-SNAPSHOT", "ü", "1.0.0", "😀", "v2beta"])
    )
    base = draw(st.sampled_from(["https://api.😀.example/ü", "https://api.example/v1", "ftp://x"]))
    segment = draw(st.sampled_from(["none", "true", "false", "class", "models", "import", "_x"]))
    type_a, type_b = draw(st.lists(st.sampled_from(TYPE_NAMES), min_size=2, max_size=2))
    fields = draw(st.lists(_field_names(), min_size=3, max_size=3, unique=True))
    path_param = draw(_path_names())
    desc = draw(st.sampled_from(PAYLOADS) | LINE)
    comment = draw(st.sampled_from(PAYLOADS[2:]) | LINE)
    f1, f2, f3 = fields
    spec = f"""@lap v0.3
@api {title}
@base {base}
@version {version}
@auth Bearer token
@endpoints 2
@toc {segment}(2)

@type {type_a} {{{f1}: str # {comment}, {f2}: int}}
@type {type_b} {{{f3}: str?}}

@group {segment}
@endpoint GET /{segment}/{{{path_param}}}
@desc {desc}
@required {{{path_param}: str # {comment}}}
@optional {{{f1}: str, {f2}: int # {comment}, {f3}: bool}}
@returns(200) {{{f1}: str, item: {type_a}, other: {type_b}}}

@endpoint POST /{segment}
@desc {desc}
@required {{{f3}: str}}
@returns(200) → {type_b}

@endgroup

@end
"""
    name = draw(
        st.sampled_from(PAYLOADS[:2]) | TEXT.filter(lambda t: "/" not in t and "\x00" not in t)
    )
    config = None
    if draw(st.booleans()):
        package = draw(
            st.from_regex(r"[a-z][a-z0-9_]{0,12}", fullmatch=True).filter(
                lambda name: package_name_problem(name) is None
            )
        )
        config = "\n".join(
            [
                "[package]",
                f"name = {toml_string(package)}",
                f"title = {toml_string(draw(st.sampled_from(PAYLOADS) | TEXT))}",
                f"version = {toml_string(draw(st.sampled_from(['2022-11-28', 'v3', '😀'])))}",
                "[auth]",
                'kind = "apikey"',
                'key_name = "X-Key"',
                'key_in = "header"',
                'params = [{ name = "token", env = "HOSTILE_TOKEN", doc = '
                + toml_string(draw(st.sampled_from(PAYLOADS) | TEXT))
                + " }]",
            ]
        )
    return f"{name[:100]}.lap", spec, config


_VALUE_NODES = (
    ast.Constant,
    ast.Name,
    ast.Attribute,
    ast.Subscript,
    ast.List,
    ast.Tuple,
    ast.Dict,
    ast.Set,
    ast.BinOp,
    ast.BitOr,
    ast.expr_context,
    ast.keyword,
    ast.Call,  # TypeVar("T"), frozenset({...}): only calls of names below
)
_DANGEROUS_CALLS = frozenset({"exec", "eval", "__import__", "compile", "open", "getattr", "system"})


def _is_literal_value(value: ast.expr | None) -> bool:
    """Literals, names and calls of harmless names: what a generated assignment may hold."""
    if value is None:
        return True
    for node in ast.walk(value):
        if not isinstance(node, _VALUE_NODES):
            return False
        if isinstance(node, ast.Call):
            func = node.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
            if name in _DANGEROUS_CALLS or not isinstance(func, (ast.Name, ast.Attribute)):
                return False
    return True


def _module_body_is_inert(tree: ast.Module) -> list[str]:
    """Top-level statements that would do something at import (beyond defining names)."""
    definitions = (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
    problems = []
    for node in tree.body:
        if isinstance(node, definitions):
            continue
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
            continue  # a docstring
        if isinstance(node, (ast.Assign, ast.AnnAssign)) and _is_literal_value(node.value):
            continue
        if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING":
            continue
        problems.append(ast.unparse(node)[:80])
    return problems


# Run in a fresh interpreter: refuse processes, sockets and writes, then import the package and
# call every method through a MockTransport.
_RUNNER = r"""
import json, sys
calls = json.loads(sys.argv[2])
package = sys.argv[3]

def refuse(event, args):
    if event.startswith(("os.system", "subprocess.", "os.exec", "os.posix_spawn", "os.spawn",
                         "os.fork", "socket.connect", "socket.getaddrinfo", "socket.bind",
                         "socket.sendto", "os.remove", "os.rename", "shutil.")):
        raise RuntimeError(f"generated code did {event} {args!r}")
    if event == "open" and isinstance(args[1], str) and set(args[1]) & set("wax+"):
        raise RuntimeError(f"generated code opened {args[0]!r} to write")

sys.path.insert(0, sys.argv[1])
sys.dont_write_bytecode = True
sys.addaudithook(refuse)
import httpx
module = __import__(package)
seen = []

def handler(request):
    seen.append(request)
    return httpx.Response(200, json={})

client = module.Client(
    base_url="http://test.local",
    http_client=httpx.Client(transport=httpx.MockTransport(handler)),
    **{name: "secret" for name in calls["credentials"]},
)

def method_of(root, accessor):
    for part in accessor.split("."):
        root = getattr(root, part)
    return root

for call in calls["methods"]:
    method_of(client, call["accessor"])(*call["args"], **call["kwargs"])

async def call_async():
    async_client = module.AsyncClient(
        base_url="http://test.local",
        http_client=httpx.AsyncClient(transport=httpx.MockTransport(handler)),
        **{name: "secret" for name in calls["credentials"]},
    )
    for call in calls["methods"]:
        await method_of(async_client, call["accessor"])(*call["args"], **call["kwargs"])

import asyncio
asyncio.run(call_async())
assert len(seen) == 2 * len(calls["methods"]), (len(seen), calls)
print("ok", len(seen))
"""


def _calls(loaded: Loaded) -> dict[str, object]:
    methods = []
    for method in loaded.plan.all_methods():
        args = ["a b/?#é" for _ in method.positional]
        kwargs = {p.python: _value(p.annotation) for p in method.keyword if p.required}
        methods.append({"accessor": method.accessor, "args": args, "kwargs": kwargs})
    credentials = [param.name for param in loaded.plan.runtime.auth.params]
    return {"methods": methods, "credentials": credentials}


def _value(annotation: Annotation) -> object:
    if isinstance(annotation, Nullable):
        annotation = annotation.inner
    if annotation == Scalar("int"):
        return 1
    if annotation == Scalar("bool"):
        return True
    return "x"


def generate(tmp_path: Path, file_name: str, spec: str, config: str | None) -> tuple[Loaded, Path]:
    spec_path = tmp_path / file_name
    spec_path.write_text(spec, encoding="utf-8", errors="surrogateescape")
    config_path = None
    if config is not None:
        config_path = tmp_path / "config.toml"
        config_path.write_text(config, encoding="utf-8")
    try:
        loaded = load(spec_path, config_path)
    except LoadError as error:
        # A refusal must be a clear message, never code: fine, but not what this test is about.
        assert "Traceback" not in str(error)
        assume(False)
        raise
    out = tmp_path / "out"
    for relative, text in render_files(loaded.plan).items():
        target = out / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    return loaded, out


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(project=hostile_projects())
def test_hostile_spec_generates_inert_working_code(
    project: tuple[str, str, str | None], tmp_path_factory: pytest.TempPathFactory
) -> None:
    file_name, spec, config = project
    tmp_path = tmp_path_factory.mktemp("hostile")
    loaded, out = generate(tmp_path, file_name, spec, config)
    plan = loaded.plan
    for path in sorted(out.rglob("*.py")):
        source = path.read_text(encoding="utf-8")
        unprintable = {c for c in source if not c.isprintable() and c != "\n"}
        assert not unprintable, f"{path.name}: {unprintable!r} in the source"
        tree = ast.parse(compile(source, str(path), "exec", ast.PyCF_ONLY_AST))
        assert _module_body_is_inert(tree) == [], path.name
    project_toml = tomllib.loads((out / "pyproject.toml").read_text(encoding="utf-8"))
    assert str(Version(project_toml["project"]["version"])) == project_toml["project"]["version"]
    result = subprocess.run(
        [sys.executable, "-I", "-c", _RUNNER, str(out), json.dumps(_calls(loaded)), plan.package],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert not list(tmp_path.rglob("PWNED"))
