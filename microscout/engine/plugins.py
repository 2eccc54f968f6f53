"""Loading plugins: built-ins, entry points (group "microscout") and plugins_dir files.

All three arrive through the same ``pm.register``; nothing distinguishes a built-in rule
from a third-party one but its source.
"""
from __future__ import annotations

import dataclasses
import difflib
import hashlib
import importlib
import importlib.metadata
import importlib.util
import inspect
import os
import re
import sys
import typing
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

import pluggy
from pydantic import BaseModel, RootModel

from microscout.engine import hookspecs
from microscout.engine.rules import METRICS, Need, Rule

if TYPE_CHECKING:
    from microscout.config import Config
    from microscout.engine.exporters import Exporter

DEFAULT_PLUGINS = (
    "microscout.rules.tier_bounds",
    "microscout.rules.automated",
    "microscout.rules.engagement",
    "microscout.rules.ad_frequency",
    "microscout.rules.disclosure",
    "microscout.rules.sponsored_engagement",
    "microscout.rules.audience_authenticity",
    "microscout.rules.growth_spikes",
    "microscout.rules.comment_quality",
    "microscout.rules.posting_cadence",
    "microscout.rules.niche_relevance",
    "microscout.engine.exporters",
)
ENTRY_POINT_GROUP = "microscout"


class PluginError(Exception):
    """A plugin that cannot be loaded or that registers something invalid."""


LOAD_PLUGINS_ENV = "MICROSCOUT_LOAD_PLUGINS"


def plugins_to_load() -> set[str] | None:
    """Which third-party plugins may load, from ``MICROSCOUT_LOAD_PLUGINS``: unset = all;
    a comma-separated list of entry-point names, distribution names and plugins_dir file
    names (with or without .py, or as ``microscout plugins`` names them: plugins_dir:NAME.py)
    = only those; empty = none. Built-ins always load."""
    value = os.environ.get(LOAD_PLUGINS_ENV)
    if value is None:
        return None
    return {part.strip().removeprefix("plugins_dir:").removesuffix(".py") for part in value.split(",")
            if part.strip()}


def make_plugin_manager(plugins_dir: str | Path | None = None, *, entry_points: bool = True,
                        defaults: bool = True, only: set[str] | None = None) -> pluggy.PluginManager:
    """A plugin manager with the built-ins, the installed entry points and the plugins_dir
    files, all through the same ``pm.register``; ``only`` (see plugins_to_load) limits the
    last two."""
    pm = pluggy.PluginManager("microscout")
    pm.add_hookspecs(hookspecs)
    if defaults:
        for name in DEFAULT_PLUGINS:
            try:
                module = importlib.import_module(name)
            except ModuleNotFoundError as exc:
                if exc.name != name:
                    raise
                continue  # a built-in not written yet must not stop the others
            pm.register(module, name=name)
    if entry_points:
        wanted = None if only is None else {_normalized(n) for n in only}
        for ep in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP):
            dist = ep.dist.name if ep.dist is not None else ""
            if wanted is None or _normalized(ep.name) in wanted or _normalized(dist) in wanted:
                _load_entry_point(pm, ep, dist)
    if plugins_dir:
        load_plugins_dir(pm, Path(plugins_dir), only)
    check_hooks(pm)
    return pm


def _normalized(name: str) -> str:
    """A plugin's name as MICROSCOUT_LOAD_PLUGINS matches it: distribution names compare
    as pip compares them (PEP 503: case, and runs of '-', '_' and '.', do not matter)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def _load_entry_point(pm: pluggy.PluginManager, ep: importlib.metadata.EntryPoint, dist: str) -> None:
    """Load one entry point as pluggy does, naming it in any failure."""
    where = f"entry point {ep.name!r} ({dist or 'no distribution'})"
    try:
        pm.load_setuptools_entrypoints(ENTRY_POINT_GROUP, name=ep.name)
    except pluggy.PluginValidationError as exc:
        raise PluginError(_hook_mismatch(where, exc)) from exc
    except (Exception, SystemExit) as exc:  # SystemExit: a module that calls sys.exit() as it loads
        raise PluginError(f"{where}: the plugin failed to load: {type(exc).__name__}: {exc} "
                          f"(uninstall it, or name the plugins to load in {LOAD_PLUGINS_ENV})") from exc


def _hook_mismatch(where: str, exc: pluggy.PluginValidationError) -> str:
    """pluggy's complaint about a hook implementation, in one line, with the hook's own
    signature: its arguments are matched by name."""
    said = " ".join(str(exc).split())
    found = re.search(r"for hook '(\w+)'", said)
    spec = getattr(hookspecs, found.group(1), None) if found else None
    hint = (f"; the hook is {spec.__name__}({', '.join(inspect.signature(spec).parameters)}) "
            "(microscout/engine/hookspecs.py)") if spec is not None else ""
    return f"{where}: {said}{hint}"


def check_hooks(pm: pluggy.PluginManager) -> None:
    """Every hook implementation matches a hook of the contract (pluggy's check_pending):
    a misspelt ``register_rule`` would otherwise be loaded, listed and never called."""
    try:
        pm.check_pending()
    except pluggy.PluginValidationError as exc:
        known = sorted(n for n in vars(hookspecs) if getattr(getattr(hookspecs, n), "microscout_spec", None))
        for name in pm.hook.__dict__:
            hook = getattr(pm.hook, name)
            if name.startswith("_") or hook.has_spec():
                continue
            for impl in hook.get_hookimpls():
                if impl.optionalhook:
                    continue
                near = difflib.get_close_matches(name, known, n=1)
                hint = f"did you mean {near[0]!r}? " if near else ""
                raise PluginError(f"plugin {impl.plugin_name}: {name!r} is not a microscout hook; {hint}"
                                  f"the hooks are {', '.join(known)} (microscout/engine/hookspecs.py)") from exc
        raise PluginError(str(exc)) from exc


class PluginFailed(Exception):
    """A plugin's code raised while the engine ran it (an exporter writing): a runtime
    failure, said in one line naming the plugin."""


# The package plugins_dir files are imported under: microscout_plugins_<folder digest>.FILE_STEM,
# one package per folder, so two folders loaded by one process keep their own helpers.
PLUGINS_DIR_PACKAGE = "microscout_plugins"


def plugins_dir_package(folder: Path) -> str:
    """The package name of ``folder``'s files, made its package in sys.modules (a plugin then
    imports a helper file beside it as ``from . import _helpers``; a _-prefixed file is not
    loaded as a plugin itself); without it a plugins_dir file could import nothing beside it."""
    path = str(folder.resolve())
    name = f"{PLUGINS_DIR_PACKAGE}_{hashlib.sha256(path.encode()).hexdigest()[:12]}"
    if name not in sys.modules:
        package = ModuleType(name, f"the files of plugins_dir {path}")
        package.__path__ = [path]
        sys.modules[name] = package
    return name


def is_plugins_dir_module(module_name: str) -> bool:
    """Whether a module is a plugins_dir file (or a helper beside one) as import_plugin_file loads it."""
    return module_name.startswith(PLUGINS_DIR_PACKAGE + "_") and "." in module_name


def _load_failure(path: Path, exc: BaseException) -> PluginError:
    """A plugins_dir file that failed to run, in one line; an absolute import of a file beside
    it (``import _helpers``) says how to import it."""
    hint = ""
    if isinstance(exc, ModuleNotFoundError) and exc.name and (path.parent / f"{exc.name}.py").is_file():
        hint = f"; a plugins_dir file imports a file beside it relatively: from . import {exc.name}"
    return PluginError(f"{path}: the plugin failed to load: {type(exc).__name__}: {exc}{hint}")


def load_plugins_dir(pm: pluggy.PluginManager, folder: Path, only: set[str] | None = None) -> None:
    """Register each ``*.py`` file in ``folder`` (files starting with _ are skipped)."""
    if not folder.is_dir():
        return
    for path in sorted(folder.glob("*.py")):
        if path.name.startswith("_") or (only is not None and path.stem not in only):
            continue
        name = f"plugins_dir:{path.name}"
        if pm.get_plugin(name) is not None:
            continue
        module = import_plugin_file(path)
        try:
            pm.register(module, name=name)
        except pluggy.PluginValidationError as exc:
            raise PluginError(_hook_mismatch(str(path), exc)) from exc


def import_plugin_file(path: Path) -> ModuleType:
    """A plugins_dir file run as a module of its folder's package (plugins_dir_package), as
    microscout and its tests (microscout.testing.plugin_file) load it."""
    package = plugins_dir_package(path.parent)
    spec = importlib.util.spec_from_file_location(f"{package}.{path.stem}", path)
    if spec is None or spec.loader is None:  # never for a .py file
        raise PluginError(f"{path}: Python cannot load it as a module")
    module = importlib.util.module_from_spec(spec)
    # In sys.modules while it runs, as an import puts it: a @dataclass under `from __future__
    # import annotations` looks its module up there as the class is made (AttributeError).
    sys.modules[spec.name] = module
    try:
        spec.loader.exec_module(module)
    except (Exception, SystemExit) as exc:  # SystemExit: a file that calls sys.exit() as it loads
        if sys.modules.get(spec.name) is module:
            del sys.modules[spec.name]
        raise _load_failure(path, exc) from exc
    return module


def plugin_source(pm: pluggy.PluginManager, plugin: Any) -> str:
    name = pm.get_name(plugin) or repr(plugin)
    if name in DEFAULT_PLUGINS:
        return "built-in"
    if name.startswith("plugins_dir:"):
        return "plugins_dir"
    for _plugin, dist in pm.list_plugin_distinfo():
        if _plugin is plugin:
            return f"entry point ({dist.project_name} {dist.version})"
    return "registered"


def _called_in_order(pm: pluggy.PluginManager, hook_name: str):
    # pluggy calls implementations last-registered first, tryfirst/trylast respected;
    # get_hookimpls() lists them in the reverse of that order.
    hook = getattr(pm.hook, hook_name)
    return list(reversed(hook.get_hookimpls()))


def call_hook(impl: Any, hook: str, **arguments: Any) -> None:
    """One plugin's registration hook; whatever it raises names the plugin."""
    try:
        impl.function(**arguments)
    except PluginError:
        raise
    except (Exception, SystemExit) as exc:  # SystemExit: else the command would end, saying nothing of the plugin
        raise PluginError(f"plugin {impl.plugin_name}: {hook} failed: {type(exc).__name__}: {exc}") from exc


def _taken(kind: str, name: str, plugin: str, holder: str) -> PluginError:
    """Two plugins registering one name: the one to rename is the third-party one (a
    built-in's name is not the built-in's to give up), else the later."""
    if plugin in DEFAULT_PLUGINS and holder not in DEFAULT_PLUGINS:
        plugin, holder = holder, f"{plugin} (built-in)"
    elif holder in DEFAULT_PLUGINS:
        holder = f"{holder} (built-in)"
    return PluginError(f"plugin {plugin}: {kind} {name!r} is already registered by {holder}; pick another name")


def collect_rules(pm: pluggy.PluginManager) -> dict[str, Rule]:
    """Every registered rule, checked, by name (in call order)."""
    rules: dict[str, Rule] = {}
    for impl in _called_in_order(pm, "register_rules"):
        plugin_name = impl.plugin_name

        def register(rule: Rule, _plugin: str = plugin_name) -> None:
            rule = _check_rule(rule, _plugin)
            if rule.name in rules:
                raise _taken("rule", rule.name, _plugin, rules[rule.name].plugin)
            rules[rule.name] = rule

        call_hook(impl, "register_rules", register=register)
    return rules


def _check_rule(rule: Any, plugin: str) -> Rule:
    if not isinstance(rule, Rule):
        raise PluginError(f"plugin {plugin}: register() takes a microscout.Rule, got {type(rule).__name__}")
    if not rule.name or not rule.name.replace("_", "").isalnum() or not rule.name.islower():
        raise PluginError(f"plugin {plugin}: rule name {rule.name!r} must be lower_snake_case")
    if not rule.summary:
        raise PluginError(f"plugin {plugin}: rule {rule.name!r} needs a one-line summary")
    if not (isinstance(rule.options, type) and issubclass(rule.options, BaseModel)):
        raise PluginError(f"plugin {plugin}: rule {rule.name!r} options must be a pydantic model class")
    if rule.options.model_config.get("extra") != "forbid":
        raise PluginError(f"plugin {plugin}: rule {rule.name!r} options model must set "
                          f"model_config = ConfigDict(extra='forbid') so typos in config are caught")
    unknown = set(rule.metrics) - set(METRICS)
    if unknown:
        raise PluginError(f"plugin {plugin}: rule {rule.name!r} declares unknown metrics {sorted(unknown)}; "
                          f"the engine's metrics are: {', '.join(METRICS)}")
    if not callable(rule.evaluate):
        raise PluginError(f"plugin {plugin}: rule {rule.name!r} evaluate must be a function "
                          "evaluate(candidate, options, context) -> Verdict")
    if rule.evaluate_batch is not None and not callable(rule.evaluate_batch):
        raise PluginError(f"plugin {plugin}: rule {rule.name!r} evaluate_batch must be a function "
                          "evaluate_batch(batch, options, context) -> {profile id: Verdict}, or None")
    if isinstance(rule.needs, (str, bytes)) or not hasattr(rule.needs, "__iter__"):
        raise PluginError(f"plugin {plugin}: rule {rule.name!r} needs must be a set of Need values, e.g. "
                          f"frozenset({{Need.POSTS}}), not {rule.needs!r}")
    known_needs = {need.value for need in Need}
    unknown_needs = sorted(str(n) for n in rule.needs if n not in known_needs)
    if unknown_needs:
        raise PluginError(f"plugin {plugin}: rule {rule.name!r} needs unknown data "
                          f"{', '.join(map(repr, unknown_needs))}; the data a rule may need: "
                          f"{', '.join('Need.' + n.name for n in Need)}")
    from microscout.engine.evaluate import ENGINE_KEYS

    for field_name, field in rule.options.model_fields.items():
        if field_name in ENGINE_KEYS or field.alias in ENGINE_KEYS:
            raise PluginError(f"plugin {plugin}: rule {rule.name!r} option {field_name!r}: the engine reads "
                              f"`{field.alias or field_name}` in [rules.{rule.name}] (the rule switched on or off), "
                              "so the option could never be set; name it otherwise")
        loose = next((m for m in _models_in(field.annotation) if m.model_config.get("extra") != "forbid"), None)
        if loose is not None:  # its table's typos ([rules.NAME.FIELD] tpyo = 1) would be dropped silently
            raise PluginError(f"plugin {plugin}: rule {rule.name!r} option {field_name!r}: its model "
                              f"{loose.__name__} must set model_config = ConfigDict(extra='forbid') so typos "
                              "in config are caught")
        if field.is_required():
            raise PluginError(f"plugin {plugin}: rule {rule.name!r} option {field_name!r} needs a default "
                              "(a config need not name it)")
        if not field.description:
            raise PluginError(f"plugin {plugin}: rule {rule.name!r} option {field_name!r} needs a description "
                              "(Field(default, description=...)): `microscout rules` and `rules --toml` show it")
    needs = frozenset(Need(n) for n in rule.needs)
    if Need.COMMENTS in needs:  # replies are read by post: a rule that reads them sees the posts too
        needs |= {Need.POSTS}
    if rule.prefilter and needs != {Need.PROFILE}:
        raise PluginError(f"plugin {plugin}: rule {rule.name!r} is a prefilter, so it may need only the profile")
    return dataclasses.replace(rule, needs=needs, gate=bool(rule.gate), prefilter=bool(rule.prefilter),
                               metrics=frozenset(rule.metrics), plugin=plugin)


def _models_in(annotation: Any, seen: set | None = None) -> list[type[BaseModel]]:
    """The pydantic models an option's annotation holds (``Sub``, ``Sub | None``,
    ``dict[str, Sub]``…), and the models their fields hold in turn: each is a table of
    the config."""
    seen = set() if seen is None else seen
    found: list[type[BaseModel]] = []
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        if annotation in seen:
            return found
        seen.add(annotation)
        if not issubclass(annotation, RootModel):  # a RootModel's root is its value: no keys, no table
            found.append(annotation)
        for field in annotation.model_fields.values():
            found += _models_in(field.annotation, seen)
        return found
    for arg in typing.get_args(annotation):
        found += _models_in(arg, seen)
    return found


def collect_exporters(pm: pluggy.PluginManager, by_plugin: dict[str, list[str]] | None = None
                      ) -> dict[str, "Exporter"]:
    """Every registered exporter, checked, by name; ``by_plugin`` collects the names each
    plugin registered."""
    from microscout.engine.exporters import Exporter

    exporters: dict[str, Exporter] = {}
    owners: dict[str, str] = {}
    for impl in _called_in_order(pm, "register_exporters"):
        def register(exporter: Exporter, _plugin: str = impl.plugin_name) -> None:
            if not isinstance(exporter, Exporter):
                raise PluginError(f"plugin {_plugin}: register() takes a microscout Exporter")
            _check_exporter(exporter, _plugin)
            if exporter.name in exporters:
                raise _taken("exporter", exporter.name, _plugin, owners[exporter.name])
            exporters[exporter.name] = dataclasses.replace(exporter, plugin=_plugin)
            owners[exporter.name] = _plugin
            if by_plugin is not None:
                by_plugin.setdefault(_plugin, []).append(exporter.name)

        call_hook(impl, "register_exporters", register=register)
    return exporters


def _check_exporter(exporter: Any, plugin: str) -> None:
    """A name and an extension that make a file name: '.tsv' wrote 'CAMPAIGN-STAMP..tsv' and
    refused every --out; 'a/b' or '../x' wrote outside the exports folder."""
    name, extension = exporter.name, exporter.extension
    if not isinstance(name, str) or not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.+-]*", name):
        raise PluginError(f"plugin {plugin}: exporter name {name!r} must be letters, digits, '_', '-', '.' or '+' "
                          f"(it is --format's value and names files), e.g. 'tsv'")
    if not isinstance(extension, str) or not re.fullmatch(r"[A-Za-z0-9]+(?:\.[A-Za-z0-9]+)*", extension):
        raise PluginError(f"plugin {plugin}: exporter {name!r} extension {extension!r} must be the file name's "
                          f"ending without its leading dot, letters and digits, e.g. 'tsv'")
    if not callable(exporter.write):
        raise PluginError(f"plugin {plugin}: exporter {name!r} write must be a function write(rows, columns, stream)")


def unmatched_names(only: set[str], plugins_dir: str | Path | None) -> list[str]:
    """The names in MICROSCOUT_LOAD_PLUGINS that no installed plugin (entry point or
    distribution) and no plugins_dir file has: a typo there loads nothing, silently."""
    known = {_normalized(ep.name) for ep in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP)}
    known |= {_normalized(ep.dist.name) for ep in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP)
              if ep.dist is not None}
    folder = Path(plugins_dir) if plugins_dir else None
    # a "_" file is a plugin's helper, never loaded (make_plugin_manager): naming it loads nothing
    files = {path.stem for path in folder.glob("*.py") if not path.name.startswith("_")} \
        if folder is not None and folder.is_dir() else set()
    return sorted(name for name in only if _normalized(name) not in known and name not in files)


def plugin_manager_for(config: "Config") -> pluggy.PluginManager:
    """The plugins a command sees: built-ins, entry points and the config's plugins_dir,
    limited by MICROSCOUT_LOAD_PLUGINS."""
    plugins_dir = config.path(config.plugins_dir) if config.plugins_dir else None
    return make_plugin_manager(plugins_dir, only=plugins_to_load())
