"""README.md stays true: its tables match the registries, its first command is the test command
that .ci/run runs, and its API example runs."""
import pathlib
import re
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
import tables  # scripts/, on pytest's pythonpath (pyproject.toml)


def test_readme_tables_are_filled_and_current():
    assert tables.problems((ROOT / "README.md").read_text()) == [], "run: python scripts/tables.py --write"


@pytest.mark.parametrize("broken", ["", "| id | name |\n|---|---|\n", "| `sgd` | SGD |\n"])
def test_table_check_fails_on_an_empty_or_partial_table(broken):
    readme = (ROOT / "README.md").read_text()
    emptied = tables._pattern("optimizers").sub(lambda m: m.group(1) + broken + m.group(3), readme)
    assert tables.section(emptied, "optimizers") == broken
    assert tables.problems(emptied), "an empty or partial table must be reported"
    assert tables.problems(tables.render(emptied)) == []  # regenerating fills it again


def test_table_check_fails_on_a_stale_row():
    readme = tables.render((ROOT / "README.md").read_text())
    stale = readme.replace("| `adam` | Adam |", "| `adam` | Adam (old) |")
    assert stale != readme and tables.problems(stale) == ["the optimizers table is stale"]


def _commands():
    readme = (ROOT / "README.md").read_text()
    block = re.search(r"```bash\n(.*?)```", readme, re.S).group(1)
    return [line.split("#")[0].strip() for line in block.strip().splitlines()]


def test_ci_runs_the_readme_test_command_verbatim():
    cmds = _commands()
    test_cmd = [c for c in cmds if "test" in c]
    assert len(test_cmd) == 1
    ci = (ROOT / ".ci" / "run").read_text()
    assert test_cmd[0] in ci.splitlines()


def test_readme_api_example_runs():
    readme = (ROOT / "README.md").read_text()
    code = re.search(r"```python\n(.*?)```", readme, re.S).group(1)
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr


def test_no_text_points_outside_the_repository():
    """Docstrings, user-visible strings and docs never cite the developers' reference folder
    (which is not part of the repository): what users need is in the docs and the About page."""
    needle = "shared" + "/"  # written so that this file does not match itself
    files = subprocess.run(["git", "ls-files", "*.py", "*.md", "*.toml", "*.sh"], cwd=ROOT,
                           capture_output=True, text=True, check=True).stdout.split()
    hits = [f"{f}:{n}" for f in files for n, line in enumerate(
        (ROOT / f).read_text(errors="replace").splitlines(), 1) if needle + "spec" in line
        or needle + "seed" in line or needle + "notes" in line]
    assert files and not hits, hits


def test_the_cjk_web_font_has_every_chinese_character_the_pages_use():
    """assets/gradscape-cjk.woff2 (scripts/make_cjk_font.py) covers every CJK character in the
    sources: a new caption with a new character fails here until the font is remade."""
    import importlib.util

    from fontTools.ttLib import TTFont

    spec = importlib.util.spec_from_file_location("make_cjk_font", ROOT / "scripts" / "make_cjk_font.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    text = mod.project_cjk_text()
    assert {"图", "对", "比"} <= set(text)  # the captions are found
    cmap = TTFont(ROOT / "assets" / "gradscape-cjk.woff2").getBestCmap()
    assert [ch for ch in text if ord(ch) not in cmap] == []
