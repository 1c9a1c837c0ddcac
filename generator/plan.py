"""The planner's public names, kept importable from their old place (``generator.planner``)."""

from .planner import (
    MethodPlan,
    ModelField,
    ModelPlan,
    PagesPlan,
    ParamPlan,
    Plan,
    PlanError,
    ResourcePlan,
    build_plan,
    default_package_name,
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
