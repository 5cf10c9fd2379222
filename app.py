"""Meridian Map: `streamlit run app.py` (or `make run`).

The page itself is `src/meridian_map/ui/streamlit_app.py`; this entry adds the one route of our
own, plotly.js served compressed and cacheable (see `meridian_map.ui.serve`)."""

import streamlit as st

from meridian_map.ui.serve import PAGE_SCRIPT, ROUTES, lifespan

app = st.App(PAGE_SCRIPT, routes=ROUTES, lifespan=lifespan)
