"""The back end: render the plan with the Jinja2 templates in ``templates/sdk``.

``generator.output`` then formats the result with black and writes it. A template whose first
line is ``{# black-stable #}`` renders black's output itself (tests/test_black_stable.py checks
it with black), so its files skip black; so do the static runtime modules, which are black code.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Literal, NoReturn

import jinja2

from . import __version__, layout
from .cache import writable_cache_dir
from .escape import comment_text, docstring_text, fstring_text, python_string, toml_string
from .naming import api_name
from .output import MANIFEST, format_files, known_chunks, manifest_text
from .output.versions import templates_dir
from .plan import Plan
from .planner.annotations import Annotation

# The runtime modules that are the same in every SDK: plain Python files in
# templates/sdk/runtime, copied into each package below the one-line header.
RUNTIME_MODULES = (
    "_base_client.py",
    "_types.py",
    "errors.py",
    "_response.py",
    "_pagination.py",
    "_models.py",
)


# One group of imports (stdlib, third party, the package's own): ``(module, names)`` pairs,
# where no names means ``import module``.
ImportGroup = Sequence[tuple[str, Sequence[str]]]


# The first line of a template that renders black-formatted code by itself.
BLACK_STABLE_MARK = "{# black-stable #}"
# When ``render_files`` runs black: only where a template is not marked stable, or always.
BlackPolicy = Literal["auto", "always"]

# One pass over Python source: a string literal (its replacement fields are read when it is
# an f-string), a comment, an attribute or a defined name (skipped), or a name. Alternatives are
# tried in order at each position, so a quote in a comment or a ``#`` in a string is not misread.
_SOURCE_TOKEN = re.compile(
    r"""
    (?=[\w"'\#.])  # where no token starts, one test instead of five
    (?:(?<!\w)(?P<prefix>[rRbBuUfF]{0,2})
    (?P<string>"{3}(?:[^\\]|\\[\s\S])*?"{3}|'{3}(?:[^\\]|\\[\s\S])*?'{3}
      |"(?:[^"\\\n]|\\[\s\S])*"|'(?:[^'\\\n]|\\[\s\S])*')
    | \#[^\n]*
    | \.[ \t]*[^\W\d]\w*
    | (?<!\w)(?:def|class)\s+\w+
    | (?<!\w)(?P<name>[^\W\d]\w*))
    """,
    re.VERBOSE | re.ASCII,  # generated identifiers are ASCII (escape.is_identifier)
)
# A replacement field of an f-string (after ``{{`` and ``}}`` are dropped), one nesting level.
_FSTRING_FIELD = re.compile(r"\{([^{}]*(?:\{[^{}]*\}[^{}]*)*)\}")
_CONVERSION = re.compile(r"![rsa](?=:|$)")  # ``{value!r}``: not a name


def names_read(code: str) -> frozenset[str]:
    """Every bare name ``code`` mentions (the roots of attribute chains included).

    A regular-expression scan, not a parse (parsing cost 0.6 s per Stytch generate). It may
    over-report (a keyword, a word in an f-string's format spec): harmless, since
    ``import_block`` only offers names the templates use.
    """
    names: set[str] = set()
    for match in _SOURCE_TOKEN.finditer(code):
        if match["name"]:
            names.add(match["name"])
        elif match["string"] and "f" in match["prefix"].lower():
            body = match["string"].replace("{{", "").replace("}}", "")
            for field in _FSTRING_FIELD.findall(body):
                names |= names_read(_CONVERSION.sub("", field))
    return frozenset(names)


def import_block(body: str, groups: Sequence[ImportGroup]) -> str:
    """The imports of the names ``body`` uses, out of those ``groups`` offers, in their order.

    The templates render a module's body first and import exactly what it turned out to use:
    which helpers and typing names a module needs depends on the spec, and an unused import is
    a lint finding in every generated SDK.
    """
    used = names_read(body)
    blocks = []
    for group in groups:
        lines = []
        for module, offered in group:
            if not offered:
                if module in used:
                    lines.append(f"import {module}")
                continue
            wanted = [name for name in offered if name in used]
            if wanted:
                lines.append(f"from {module} import {', '.join(wanted)}")
        if lines:
            blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


def _templates_dir() -> Path:
    """``templates/`` beside ``generator/`` in a checkout, ``generator/templates`` in a wheel."""
    return templates_dir()


# Every docstring and param description goes through ``|doc`` twice (the sync and the async
# method): the same text, escaped once.
_cached_docstring_text = functools.lru_cache(maxsize=8192)(docstring_text)


def _doc_filter(text: object) -> str:
    return _cached_docstring_text(text) if type(text) is str else docstring_text(text)


def wordwrap(
    environment: jinja2.Environment,
    s: str,
    width: int = 79,
    break_long_words: bool = True,
    wrapstring: str | None = None,
    break_on_hyphens: bool = True,
) -> str:
    """jinja's ``wordwrap``, without ``textwrap`` for a line that fits: the same text.

    textwrap leaves a nonblank line of at most ``width`` characters that ends in no whitespace
    as it is (tests/test_render_speed.py compares the two on any text).
    """
    lines = s.splitlines()
    if all(0 < len(line) <= width and not line[-1].isspace() for line in lines):
        return (environment.newline_sequence if wrapstring is None else wrapstring).join(lines)
    return _jinja_wordwrap(environment, s, width, break_long_words, wrapstring, break_on_hyphens)


_jinja_wordwrap = jinja2.filters.do_wordwrap
_fast_wordwrap = jinja2.pass_environment(wordwrap)


def _bytecode_cache() -> jinja2.BytecodeCache | None:
    """Compiled templates, keyed by jinja on each template's source."""
    directory = writable_cache_dir("jinja")
    return jinja2.FileSystemBytecodeCache(str(directory)) if directory else None


def template_environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(_templates_dir()),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,
        bytecode_cache=_bytecode_cache(),
    )
    # The escaping boundary (generator/escape.py): every spec, config or file-name value a
    # template prints goes through one of these.
    env.filters["py"] = python_string
    env.filters["doc"] = _doc_filter
    env.filters["wordwrap"] = _fast_wordwrap
    env.filters["toml"] = toml_string
    env.filters["comment"] = comment_text
    env.filters["fstring"] = fstring_text  # inside a double-quoted f-string
    env.filters["api_name"] = api_name
    env.globals["import_block"] = import_block
    # Layout decisions of black-stable templates (what fits in a line).
    env.globals["group"] = layout.group
    env.globals["layout"] = layout.layout
    env.globals["assignment"] = layout.assignment
    env.globals["import_from"] = layout.import_from
    env.globals["fit"] = layout.fit
    env.globals["field_line"] = layout.field
    env.globals["unknown_annotation"] = _unknown_annotation
    return env


def _unknown_annotation(annotation: object) -> NoReturn:
    raise TypeError(f"_annotations.jinja has no macro for {annotation!r}")


@functools.cache
def _annotation_macro() -> jinja2.runtime.Macro:
    module = template_environment().get_template("sdk/_annotations.jinja").module
    macro: jinja2.runtime.Macro = module.annotation  # type: ignore[attr-defined]
    return macro


def annotation_text(annotation: Annotation, *, qualified: bool = True) -> str:
    """``annotation`` as the generated code writes it (the templates' own macro).

    ``qualified``: a model as ``models.Name`` (outside ``models.py``) or ``Name``.
    """
    return str(_annotation_macro()(annotation, qualified))


def header(plan: Plan, comment: str = "#") -> str:
    spec_name = comment_text(plan.spec_name)  # a file name is one printable line of a comment
    # No version or hash here: they would change every file on any change of the spec.
    # Provenance lives in _provenance.py and the manifest only.
    text = f"Generated by lapgen from {spec_name}. Do not edit."
    if comment == "<!--":
        return "<!-- " + text.replace("--", "- -") + " -->"  # a name cannot end the comment
    return f"{comment} {text}"


def render(plan: Plan) -> dict[str, str]:
    """Every file of the generated project, keyed by path relative to the output directory."""
    return render_marked(plan)[0]


def render_marked(plan: Plan) -> tuple[dict[str, str], frozenset[str]]:
    """``render``'s files, and the paths of those that are black-formatted as rendered."""
    env = template_environment()
    package = plan.package
    py_header = header(plan)
    common = {"plan": plan, "sdk": plan.runtime, "header": py_header}
    files: dict[str, str] = {}
    stable: set[str] = set()
    marked: dict[str, bool] = {}

    def add(path: str, template: str, **context: object) -> None:
        name = f"sdk/{template}"
        files[path] = env.get_template(name).render(**common, **context)
        if name not in marked:
            assert env.loader is not None
            marked[name] = env.loader.get_source(env, name)[0].startswith(BLACK_STABLE_MARK)
        if marked[name]:
            stable.add(path)

    runtime_dir = _templates_dir() / "sdk" / "runtime"
    for module in RUNTIME_MODULES:
        source = (runtime_dir / module).read_text(encoding="utf-8")
        files[f"{package}/{module}"] = f"{py_header}\n{source}"
        stable.add(f"{package}/{module}")  # black code, checked by tests/test_black_stable.py
    add(f"{package}/models.py", "models.py.jinja")
    if any(len(f.python) > layout.FIELD_NAME_LIMIT for m in plan.models for f in m.fields):
        stable.discard(f"{package}/models.py")  # beyond what `layout.field` places as black does
    add(f"{package}/_client.py", "_client.py.jinja")
    add(f"{package}/__init__.py", "__init__.py.jinja")
    add(f"{package}/_provenance.py", "_provenance.py.jinja", generator_version=__version__)
    add(f"{package}/resources/__init__.py", "resources__init__.py.jinja")
    for resource in plan.resources:
        tree = list(resource.walk())
        add(
            f"{package}/resources/{resource.attr}.py",
            "resource.py.jinja",
            resource=resource,
            resources=tree,
            resource_count=len(tree),
        )
    files[f"{package}/py.typed"] = py_header + "\n"
    add("pyproject.toml", "pyproject.toml.jinja")
    files["README.md"] = env.get_template("sdk/README.md.jinja").render(
        **{**common, "header": header(plan, "<!--")}, resources=list(plan.all_resources())
    )
    return files, frozenset(stable)


def render_files(
    plan: Plan, previous: Path | None = None, black: BlackPolicy = "auto"
) -> dict[str, str]:
    """The formatted files of the output directory, its manifest included.

    ``previous`` is the output directory of an earlier run, whose unchanged chunks are reused.
    ``black="always"`` formats the files of black-stable templates too.
    """
    files, stable = render_marked(plan)
    if black == "always":
        stable = frozenset()
    unstable = {path for path in files if path not in stable}
    candidates = known_chunks(previous, only=unstable) if previous else None
    formatted = format_files(files, candidates, stable=stable)
    provenance = {
        "generator": "lapgen",
        "generator_version": __version__,
        "spec": plan.spec_name,
        "spec_sha256": plan.spec_sha256,
        "config_sha256": plan.config_sha256,
        # The names lock: each model's class name and its places, which the next generation
        # into this directory keeps (generator/pipeline.py reads it back).
        "models": {model.name: list(model.places) for model in plan.models},
    }
    manifest = manifest_text(formatted.files, formatted.chunks, provenance)
    return {**formatted.files, MANIFEST: manifest}
