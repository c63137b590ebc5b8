"""Colours, fonts and marker styles shared by Gradscape's figures.

Everything here is plain data (no Plotly objects), so the builders can drop it straight into
figure dicts.
"""
from __future__ import annotations

#: Path colours, in the order optimizers get them: Okabe & Ito's colour-blind-safe palette
#: without its yellow (invisible on a light background), plus Paul Tol's "wine".  All of them
#: are saturated and mid-to-dark, so they stand out on the pale grey contour background.
COLORS = (
    "#0072B2",  # blue
    "#D55E00",  # vermilion
    "#009E73",  # bluish green
    "#CC79A7",  # reddish purple
    "#E69F00",  # orange
    "#56B4E9",  # sky blue
    "#000000",  # black
    "#882255",  # wine (Tol)
)

#: Background colour scale for contours and the 3D surface: white at the minimum rising to a
#: light slate grey, so that no path colour is lost against it (low values are lightest).
SURFACE_COLORSCALE = [
    [0.0, "#ffffff"],
    [0.4, "#eef0f3"],
    [0.75, "#dde1e6"],
    [1.0, "#c8ced6"],
]
#: the 3D surface needs more contrast than the contour for its shading to show the shape
SURFACE3D_COLORSCALE = [
    [0.0, "#fbfcfd"],
    [0.4, "#dfe4ea"],
    [0.75, "#c2cad3"],
    [1.0, "#a9b3be"],
]
#: One colour per optimizer, everywhere (Explore, Figures, Landscapes, exports): optimizer
#: number ``i`` in the registry gets ``OPTIMIZER_COLORS[i % len]``.  Okabe & Ito's palette
#: first (the survey's first optimizers, the ones most often compared), then Paul Tol's.
OPTIMIZER_COLORS = COLORS[:7] + (
    "#882255",  # wine
    "#117733",  # dark green
    "#332288",  # indigo
    "#AA4499",  # purple
    "#999933",  # olive
    "#44AA99",  # teal
    "#661100",  # brown
    "#6699CC",  # steel blue
    "#888888",  # grey
)
DASH_STYLES = ("solid", "dash", "dot", "dashdot")


def optimizer_color(index: int) -> str:
    """The colour of optimizer number ``index`` in the registry."""
    return OPTIMIZER_COLORS[int(index) % len(OPTIMIZER_COLORS)]


def path_styles(indices) -> list[tuple[str, str]]:
    """(colour, dash) for paths of the optimizers with these registry indices, in order.

    Each path gets its optimizer's colour, unless an earlier path in the same view already
    has it (a second copy of an optimizer, or two optimizers that share a palette slot): then
    the next free colour.  A second copy of the same optimizer is also dashed, a third dotted.
    """
    used, seen, out = set(), {}, []
    for i in indices:
        i = int(i)
        k = 0
        color = optimizer_color(i)
        while color in used and k < len(OPTIMIZER_COLORS):
            k += 1
            color = optimizer_color(i + k)
        used.add(color)
        copies = seen.get(i, 0)
        seen[i] = copies + 1
        out.append((color, DASH_STYLES[copies % len(DASH_STYLES)]))
    return out


CONTOUR_LINE = "rgba(60, 70, 85, 0.35)"
#: number of contour levels (the level spacing is range / CONTOUR_LEVELS)
CONTOUR_LEVELS = 24

FONT = dict(family="Inter, 'Source Sans Pro', 'Segoe UI', Arial, sans-serif", size=16, color="#262730")
LEGEND_FONT_SIZE = 16
#: text size of the Explore stage (axes, legend, controls), normal and in presenter mode
STAGE_FONT = 16
PRESENTER_FONT = 22
#: Play's frame rate in the browser (frames per second) and the most frames an animation has
PLAY_FPS = 30
MAX_FRAMES = 150
AXIS_LINE = "#888888"
GRID_LINE = "#e6e6e6"

MINIMUM_MARKER = dict(symbol="star", size=19, color="#FFD23F", line=dict(color="#1a1a1a", width=1.5))
SADDLE_MARKER = dict(symbol="x", size=14, color="#ffffff", line=dict(color="#1a1a1a", width=1.5))
START_MARKER = dict(symbol="circle", size=13, color="#ffffff", line=dict(color="#1a1a1a", width=2.5))
#: 3D variants (scatter3d has a smaller symbol set and no star)
MINIMUM_MARKER_3D = dict(symbol="diamond", size=7, color="#FFD23F", line=dict(color="#1a1a1a", width=2))
SADDLE_MARKER_3D = dict(symbol="x", size=6, color="#1a1a1a")
START_MARKER_3D = dict(symbol="circle", size=5, color="#ffffff", line=dict(color="#1a1a1a", width=2))

#: frame duration of the Play animation (ms)
FRAME_MS = 50

#: a minimal template: explicit layouts below set everything that matters, and an empty
#: template keeps Plotly's ~8 KB default template out of every chart's JSON.
TEMPLATE = {"layout": {}}


def path_marker_size(n_points: int) -> float:
    """Dot size for a path of ``n_points``: visible dots for short runs, fine ones for long."""
    if n_points <= 400:
        return 5.0
    if n_points <= 1500:
        return 3.5
    return 2.5


def decade_label(k: int) -> str:
    """Tick text for 10**k: plain numbers from 0.001 to 1000, powers of ten beyond."""
    if -3 <= k <= 3:
        return f"{10.0 ** k:g}" if k < 0 else f"{10 ** k:d}"
    return f"10<sup>{k}</sup>"
