"""The names a generated module imports are reserved: no spec name can shadow them.

The templates offer their imports in ``import_block`` tables; ``generator.escape`` keeps the
reserved sets by hand. This ties the two, so adding a runtime helper to a template without
reserving its name fails here instead of in some user's SDK.
"""

from __future__ import annotations

import re

import pytest
from regenerate import REPO

from generator import escape
from generator.planner.types import RESOURCE_MODULE_NAMES

TEMPLATES = REPO / "templates" / "sdk"
ENTRY = re.compile(r'\("([\w.]+)", \[([^\]]*)\]\)')


def imported_names(template: str) -> set[str]:
    text = (TEMPLATES / template).read_text("utf-8")
    table = text[text.index("{{ import_block(body, [") :]
    names: set[str] = set()
    for module, offered in ENTRY.findall(table):
        listed = re.findall(r'"(\w+)"', offered)
        names |= set(listed) if listed else {module}  # `import attrs` binds the module
    assert names, f"no import table found in {template}"
    return names


# The classes each module defines: models in models.py, resource classes in a resource module.
CLASSES = {
    "models.py.jinja": escape.CLASS_RESERVED,
    "resource.py.jinja": RESOURCE_MODULE_NAMES,
}


@pytest.mark.parametrize("template", sorted(CLASSES))
def test_every_imported_name_is_reserved(template: str) -> None:
    names = imported_names(template)
    lower = {name for name in names if not name[0].isupper()}
    # Class names are CamelCase: a SCREAMING_CASE constant cannot be one.
    classes = {name for name in names - lower if not name.isupper()}
    assert lower <= escape.NAME_RESERVED, sorted(lower - escape.NAME_RESERVED)
    assert classes <= CLASSES[template], sorted(classes - CLASSES[template])
