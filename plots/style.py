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
CONTOUR_LINE = "rgba(60, 70, 85, 0.35)"
#: number of contour levels (the level spacing is range / CONTOUR_LEVELS)
CONTOUR_LEVELS = 24

FONT = dict(family="Inter, 'Source Sans Pro', 'Segoe UI', Arial, sans-serif", size=14, color="#262730")
LEGEND_FONT_SIZE = 14
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
