"""Streamlit pages (thin: read widgets, call cached computations and pure builders, render)."""
