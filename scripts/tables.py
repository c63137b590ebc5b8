"""Print the optimizer and surface tables (Markdown) from the registries.

    python scripts/tables.py            # print both tables
    python scripts/tables.py --write    # refresh them in README.md (between the markers)

tests/test_readme.py fails when README.md's tables differ from this output.
"""
from __future__ import annotations

import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _num(v) -> str:
    return f"{v:g}"


def optimizer_table() -> str:
    from optimizers import OPTIMIZERS

    rows = ["| id | name | variants | hyperparameters (default) | reproduces |", "|---|---|---|---|---|"]
    for s in OPTIMIZERS.values():
        hps = ", ".join(f"{h.name} ({_num(h.default)})" for h in s.hyperparams)
        if s.wraps_inner:
            hps = "inner (adam), " + hps + ", plus the inner optimizer's"
        ref = "; ".join(f"{v}: {s.reference[v]}" for v in s.variants)
        rows.append(f"| `{s.id}` | {s.name} | {', '.join(s.variants)} | {hps} | {ref} |")
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


def render(readme: str) -> str:
    for name, fn in MARKERS.items():
        pat = re.compile(rf"(<!-- {name}:begin -->\n).*?(\n<!-- {name}:end -->)", re.S)
        readme = pat.sub(lambda m: m.group(1) + fn() + m.group(2), readme)
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
