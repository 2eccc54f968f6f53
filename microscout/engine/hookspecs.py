"""The plugin contract: every hook a microscout plugin may implement.

A plugin is a module or object with functions marked ``@microscout.hookimpl`` whose
names match these specs. Built-in rules and exporters are plugins of exactly this kind.
"""
from __future__ import annotations

from typing import Callable

import click
import pluggy

hookspec = pluggy.HookspecMarker("microscout")


@hookspec
def register_rules(register: Callable) -> None:
    """Register rules by calling ``register(Rule(...))`` once for each.

    The engine checks each rule (a unique name, an options model that forbids unknown
    keys, known data needs) and names the plugin in any error.
    """


@hookspec
def register_exporters(register: Callable) -> None:
    """Register shortlist exporters by calling ``register(Exporter(...))`` once for each."""


@hookspec
def register_commands(cli: click.Group) -> None:
    """Add click commands or groups to the ``microscout`` command line."""
