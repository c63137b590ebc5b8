"""Make ``assets/gradscape-cjk.woff2``: the Chinese glyphs Gradscape's pages use, as a web font.

    python scripts/make_cjk_font.py [--source /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc]

The survey's captions are in Chinese; a browser without CJK fonts shows empty boxes for them.
This subsets Noto Sans CJK SC (Debian's ``fonts-noto-cjk``; SIL Open Font License) to the CJK
characters found in the project's Python sources (a few kB), written as WOFF2.  The app serves
it from ``static/`` and its CSS adds it, by ``unicode-range``, to the fonts the pages use.  A
test fails when a source uses a CJK character the committed font lacks: rerun this script.
"""
from __future__ import annotations

import argparse
import pathlib

ROOT = pathlib.Path(__file__).resolve().parent.parent
OUT = ROOT / "assets" / "gradscape-cjk.woff2"
SOURCE = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
SC_INDEX = 2  # Noto Sans CJK SC in the collection
#: the CJK and full-width ranges the app's CSS maps to this font
UNICODE_RANGES = ((0x2E80, 0x2FDF), (0x3000, 0x303F), (0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xFF00, 0xFFEF))


def is_cjk(ch: str) -> bool:
    return any(lo <= ord(ch) <= hi for lo, hi in UNICODE_RANGES)


def project_cjk_text() -> str:
    """Every CJK character the pages can show: in the project's Python sources and lesson
    files, sorted (tests and benchmarks are not shown: the fuzz tests hold full-width look-alikes)."""
    chars = set()
    for path in [*ROOT.glob("*/*.py"), *ROOT.glob("lessons/*.toml")]:
        if {".venv", "tests", "benchmarks"} & set(path.relative_to(ROOT).parts):
            continue
        chars |= {ch for ch in path.read_text(encoding="utf-8") if is_cjk(ch)}
    return "".join(sorted(chars))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--source", default=SOURCE)
    args = ap.parse_args(argv)
    from fontTools import subset
    from fontTools.ttLib import TTFont

    text = project_cjk_text()
    font = TTFont(args.source, fontNumber=SC_INDEX)
    options = subset.Options()
    options.flavor = "woff2"
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    sub = subset.Subsetter(options)
    sub.populate(text=text)
    sub.subset(font)
    OUT.parent.mkdir(exist_ok=True)
    font.flavor = "woff2"
    font.save(OUT)
    print(f"wrote {OUT.relative_to(ROOT)} ({OUT.stat().st_size:,} bytes): {text}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
