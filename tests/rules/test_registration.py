"""Each built-in rule of this folder registers like a third-party plugin, with documented options."""
import json

import pytest
from pydantic import BaseModel, ValidationError

from microscout.engine.plugins import DEFAULT_PLUGINS, collect_rules, make_plugin_manager
from tests.rules.conftest import registered_rule

# Every built-in rule, from the plugin manager itself: a new rule cannot be left out.
RULES = sorted(name for name, rule in collect_rules(make_plugin_manager(None, entry_points=False)).items()
               if rule.plugin in DEFAULT_PLUGINS)


def fields(model: type[BaseModel], prefix=""):
    for name, field in model.model_fields.items():
        yield f"{prefix}{name}", field
        if isinstance(field.annotation, type) and issubclass(field.annotation, BaseModel):
            yield from fields(field.annotation, f"{prefix}{name}.")


@pytest.mark.parametrize("name", RULES)
def test_registered_with_valid_documented_defaults(name):
    rule = registered_rule(name)
    assert rule.plugin == f"microscout.rules.{name}" and rule.summary
    defaults = rule.options()
    dumped = json.loads(json.dumps(defaults.model_dump(mode="json")))  # TOML/JSON-expressible
    assert rule.options.model_validate(dumped) == defaults
    for key, field in fields(rule.options):
        assert field.description and "Default" in field.description, f"{name}.{key} does not state its default"


@pytest.mark.parametrize("name", RULES)
def test_unknown_options_are_rejected(name):
    with pytest.raises(ValidationError):
        registered_rule(name).options.model_validate({"no_such_option": 1})
