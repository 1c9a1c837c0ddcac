"""The middle: passes over the IR that decide what to render, one module per decision.

1. placement (``generator.placement``) — where each param goes on the wire;
2. names (``resource_names``) — resources and methods from paths and ``@desc``;
3. models (``models``) — one attrs class per distinct object shape, response classes;
4. runtime (``runtime``) — auth, environments and servers for the client.

``build`` runs them over an ``ir.API`` into a ``Plan`` (``types``): plain data the templates
print, with no decisions left to make.
"""

from .build import build_plan
from .checks import default_package_name
from .types import (
    MethodPlan,
    ModelField,
    ModelPlan,
    PagesPlan,
    ParamPlan,
    Plan,
    PlanError,
    ResourcePlan,
    model_counts,
    plan_json,
)

__all__ = [
    "MethodPlan",
    "ModelField",
    "ModelPlan",
    "PagesPlan",
    "ParamPlan",
    "Plan",
    "PlanError",
    "ResourcePlan",
    "build_plan",
    "default_package_name",
    "model_counts",
    "plan_json",
]
