"""The page script that Streamlit runs for every session (`app.py` serves it)."""

from meridian_map.ui.page import main

main()
