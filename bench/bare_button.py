"""The baseline for the click benchmark: a bare Streamlit page with one button and a counter."""

import streamlit as st


def _increment() -> None:
    st.session_state["count"] = st.session_state.get("count", 0) + 1


st.button("Add one", key="add", on_click=_increment)
with st.container(key="counter"):
    st.write(f"Clicks: {st.session_state.get('count', 0)}")
