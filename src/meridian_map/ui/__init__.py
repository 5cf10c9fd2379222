"""The Streamlit layer: thin, it calls the domain for everything."""
