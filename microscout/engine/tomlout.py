"""Rendering rule option defaults as commented TOML (for `microscout rules --toml`)."""
from __future__ import annotations

import json
import re
import textwrap
from typing import Any

from pydantic import BaseModel, RootModel

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
        return "{ " + ", ".join(f"{toml_key(k)} = {toml_value(v)}" for k, v in value.items()) + " }"
    raise TypeError(f"cannot write {type(value).__name__} as TOML")


def toml_key(key: str) -> str:
    """A key as TOML reads it back: bare when it can be, else quoted ("plant based" written
    bare was no TOML; "a.b" bare was a dotted key, a table of its own)."""
    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else json.dumps(key, ensure_ascii=False)


def comment(text: str) -> list[str]:
    return ["# " + line for line in textwrap.wrap(text, 96)] if text else []


def model_tables(model: type[BaseModel], table: str, header: str) -> list[str]:
    defaults = model().model_dump(mode="json")
    lines = comment(header) + [f"[{table}]"]
    nested = []
    for name, field in model.model_fields.items():
        ann = field.annotation
        # a RootModel is a value (a list, a dict), not a table of keys
        if isinstance(ann, type) and issubclass(ann, BaseModel) and not issubclass(ann, RootModel):
            nested.append((ann, f"{table}.{name}", field.description or ""))
            continue
        lines += comment(field.description or "")
        if defaults[name] is None:
            lines.append(f"# {name} is not set by default")
            continue
        try:
            lines.append(f"{name} = {toml_value(defaults[name])}")
        except TypeError:  # a None inside (a plugin's dict[str, int | None]): TOML has no null
            lines.append(f"# {name}: default {json.dumps(defaults[name], ensure_ascii=False)} "
                         "(TOML cannot write its null; left out, the option keeps this default)")
    for ann, sub, desc in nested:
        lines += [""] + model_tables(ann, sub, desc)
    return lines


def rules_toml(rules: dict[str, Rule]) -> str:
    out = []
    for rule in rules.values():
        out += model_tables(rule.options, f"rules.{rule.name}", f"{rule.summary} ({rule.plugin})") + [""]
    return "\n".join(out)
