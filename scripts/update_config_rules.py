"""Rewrite the [rules.*] tables at the end of config.toml from the registered rules.

Run after changing a rule's options: `python scripts/update_config_rules.py`.
tests/test_docs.py fails until config.toml and the rules agree.
"""
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
    tables = subprocess.run([sys.executable, "-m", "microscout", "rules", "--toml", "--config", tmp.name],
                            capture_output=True, text=True, check=True, cwd=REPO).stdout
finally:
    Path(tmp.name).unlink()
(REPO / "config.toml").write_text(head + intro + tables)
print("config.toml: rule tables rewritten")
