"""Rendering rule option defaults as commented TOML (for `microscout rules --toml`)."""
from __future__ import annotations

import json
import textwrap
from typing import Any

from pydantic import BaseModel

from microscout.engine.rules import Rule


def toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {toml_value(v)}" for k, v in value.items()) + " }"
    raise TypeError(f"cannot write {type(value).__name__} as TOML")


def comment(text: str) -> list[str]:
    return ["# " + line for line in textwrap.wrap(text, 96)] if text else []


def model_tables(model: type[BaseModel], table: str, header: str) -> list[str]:
    defaults = model().model_dump(mode="json")
    lines = comment(header) + [f"[{table}]"]
    nested = []
    for name, field in model.model_fields.items():
        ann = field.annotation
        if isinstance(ann, type) and issubclass(ann, BaseModel):
            nested.append((ann, f"{table}.{name}", field.description or ""))
            continue
        lines += comment(field.description or "")
        if defaults[name] is None:
            lines.append(f"# {name} is not set by default")
        else:
            lines.append(f"{name} = {toml_value(defaults[name])}")
    for ann, sub, desc in nested:
        lines += [""] + model_tables(ann, sub, desc)
    return lines


def rules_toml(rules: dict[str, Rule]) -> str:
    out = []
    for rule in rules.values():
        out += model_tables(rule.options, f"rules.{rule.name}", f"{rule.summary} ({rule.plugin})") + [""]
    return "\n".join(out)
