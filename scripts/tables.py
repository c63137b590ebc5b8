"""Print the optimizer and surface tables (Markdown) from the registries.

    python scripts/tables.py            # print both tables
    python scripts/tables.py --write    # refresh them in README.md (between the markers)

tests/test_readme.py fails when a table in README.md is missing, empty, or differs from this
output (:func:`problems`).
"""
from __future__ import annotations

import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent


def _num(v) -> str:
    return f"{v:g}"


def optimizer_table() -> str:
    from optimizers import OPTIMIZERS

    from optimizers.base import GROUPS

    rows = ["| id | name | group | variants | hyperparameters (default) | named state | reproduces |",
            "|---|---|---|---|---|---|---|"]
    for s in OPTIMIZERS.values():
        hps = ", ".join(f"{h.name} ({_num(h.default)})" for h in s.hyperparams)
        if s.wraps_inner:
            hps = "inner (adam), " + hps + ", plus the inner optimizer's"
        state = ", ".join(f"`{n}`" for n in s.state + s.scalars) or "—"
        if len(s.state) > 8:  # L-BFGS's history: name the pattern, not every slot
            state = ", ".join(f"`{n}`" for n in s.state[:2] + ("…",) + s.state[-2:] + s.scalars[:2] + ("…",))
        ref = "; ".join(f"{v}: {s.reference[v]}" for v in s.variants)
        rows.append(f"| `{s.id}` | {s.name} | {GROUPS[s.group]} | {', '.join(s.variants)} | {hps} "
                    f"| {state} | {ref} |")
    return "\n".join(rows)


def surface_table() -> str:
    from surfaces import SURFACES

    rows = ["| id | name | domain x × y | minima (x, y) → f | parameters (default) | contours |",
            "|---|---|---|---|---|---|"]
    for s in SURFACES.values():
        (x0, x1), (y0, y1) = s.bounds
        pts = s.minima or s.saddles
        kind = "" if s.minima else "saddle "
        mins = "; ".join(f"{kind}({p.x:.6g}, {p.y:.6g}) → {p.f:.7g}" for p in pts) or "none"
        params = ", ".join(f"{p.name} ({_num(p.default)})" for p in s.params) or "—"
        rows.append(f"| `{s.id}` | {s.name} | [{_num(x0)}, {_num(x1)}] × [{_num(y0)}, {_num(y1)}] "
                    f"| {mins} | {params} | {s.contour} |")
    return "\n".join(rows)


MARKERS = {"optimizers": optimizer_table, "surfaces": surface_table}


def _pattern(name: str) -> re.Pattern:
    # the table sits on its own lines between the markers; an empty table is "begin\nend"
    return re.compile(rf"(<!-- {name}:begin -->\n)(.*?)(<!-- {name}:end -->)", re.S)


def section(readme: str, name: str) -> str:
    """The text between README.md's markers for table ``name`` (ValueError if they are missing)."""
    m = _pattern(name).search(readme)
    if m is None:
        raise ValueError(f"README.md has no <!-- {name}:begin --> ... <!-- {name}:end --> markers")
    return m.group(2)


def problems(readme: str) -> list[str]:
    """What is wrong with README.md's tables: missing, empty, a row missing, or stale."""
    import optimizers
    import surfaces

    registries = {"optimizers": optimizers.OPTIMIZERS, "surfaces": surfaces.SURFACES}
    out = []
    for name, fn in MARKERS.items():
        try:
            text = section(readme, name)
        except ValueError as e:
            out.append(str(e))
            continue
        ids = [line.split("`")[1] for line in text.splitlines() if line.startswith("| `")]
        if not ids:
            out.append(f"the {name} table is empty")
        elif ids != list(registries[name]):
            out.append(f"the {name} table lists {ids}, the registry {list(registries[name])}")
        elif text != fn() + "\n":
            out.append(f"the {name} table is stale")
    return out


def render(readme: str) -> str:
    """README.md with every table regenerated between its markers."""
    for name, fn in MARKERS.items():
        section(readme, name)
        readme = _pattern(name).sub(lambda m: m.group(1) + fn() + "\n" + m.group(3), readme)
    return readme


if __name__ == "__main__":
    if "--write" in sys.argv:
        path = ROOT / "README.md"
        path.write_text(render(path.read_text()))
        print(f"updated {path}")
    else:
        print(optimizer_table())
        print()
        print(surface_table())
