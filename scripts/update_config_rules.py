"""Rewrite the [rules.*] tables at the end of config.toml from the built-in rules, and copy
config.toml to microscout/defaults.toml, the defaults the package carries.

Run after changing a rule's options or config.toml: `python scripts/update_config_rules.py`.
tests/test_docs.py fails until config.toml and the rules agree, and tests/test_defaults.py
until the two files do.
"""
import os
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
MARKER = "# --- Rules ---"

text = (REPO / "config.toml").read_text()
head, rules_part = text[:text.index(MARKER)], text[text.index(MARKER):]
intro = rules_part[:rules_part.index("\n\n") + 2]
# Render with a config that has no rule tables, so stale keys cannot stop the rendering.
with tempfile.NamedTemporaryFile("w", suffix=".toml", dir=REPO, delete=False) as tmp:
    tmp.write(head)
try:
    # Built-ins only: plugins (the example in plugins/, installed packages) document their own options.
    tables = subprocess.run([sys.executable, "-m", "microscout", "rules", "--toml", "--config", tmp.name],
                            capture_output=True, text=True, check=True, cwd=REPO,
                            env={**os.environ, "MICROSCOUT_LOAD_PLUGINS": ""}).stdout
finally:
    Path(tmp.name).unlink()
(REPO / "config.toml").write_text(head + intro + tables)
(REPO / "microscout" / "defaults.toml").write_text(head + intro + tables)
print("config.toml: rule tables rewritten; copied to microscout/defaults.toml")
