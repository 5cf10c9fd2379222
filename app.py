"""Meridian Map: `streamlit run app.py` (or `make run`)."""

from meridian_map.ui.page import main

main()
