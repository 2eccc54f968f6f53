"""Rewrite the generated reference at the end of docs/PLUGINS.md from the code.

Run after changing a hook, a field of the rule contract or of the candidate dataclasses:
`python scripts/update_plugin_docs.py`. tests/test_docs.py fails until the two agree.
"""
from pathlib import Path

from microscout.engine.reference import replace_in

PAGE = Path(__file__).resolve().parent.parent / "docs" / "PLUGINS.md"
PAGE.write_text(replace_in(PAGE.read_text()))
print(f"{PAGE}: reference rewritten")
