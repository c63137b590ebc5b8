"""Gradscape's pure Plotly figure builders (no Streamlit here); see :mod:`plots.explore`."""
from .explore import (
    CLICK_GRID_NAME,
    FastFigure,
    COLORS,
    PathView,
    click_grid_index,
    click_grid_points,
    contour_figure,
    decode_array,
    distance_figure,
    figure_payload_bytes,
    legend_label,
    loss_figure,
    snap_to_click_grid,
    start_from_selection,
    surface3d_figure,
    thin_steps,
    trace_roles,
    value_map,
)

__all__ = [
    "CLICK_GRID_NAME", "COLORS", "FastFigure", "PathView", "click_grid_index", "click_grid_points",
    "contour_figure", "decode_array", "distance_figure", "figure_payload_bytes", "legend_label", "loss_figure",
    "snap_to_click_grid", "start_from_selection", "surface3d_figure", "thin_steps", "trace_roles",
    "value_map",
]
