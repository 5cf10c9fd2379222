# Meridian Map in a container: one app process; run several behind a proxy with session affinity
# (deploy/README.md). Settings come from the environment:
#   MERIDIAN_MAP_DATA        the content file (default: the bundled data/meridians.yaml)
#   MERIDIAN_MAP_PUBLIC_URL  the address people open, e.g. https://meridian.example.org/ (share links,
#                            QR codes); its host name is also what the server accepts (allowedHosts)
#   PORT                     where the server listens (default 8501)
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PORT=8501 \
    MERIDIAN_MAP_DATA=/app/data/meridians.yaml \
    MERIDIAN_MAP_PUBLIC_URL=""

RUN useradd --create-home --uid 10001 --shell /usr/sbin/nologin meridian
WORKDIR /app

# Dependencies first, so that a content or code change does not reinstall them.
COPY pyproject.toml README.md LICENSE ./
COPY src ./src
RUN pip install --no-compile . && rm -rf build

COPY --chown=meridian:meridian app.py ./
COPY --chown=meridian:meridian .streamlit ./.streamlit
COPY --chown=meridian:meridian data ./data

USER meridian
EXPOSE 8501

HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD python -c "import os, urllib.request; urllib.request.urlopen(f'http://127.0.0.1:{os.environ[\"PORT\"]}/_stcore/health', timeout=4)"

# The public host joins the names the websocket accepts (config.toml keeps localhost); an explicit
# STREAMLIT_SERVER_ALLOWED_HOSTS wins. exec: the server is PID 1 and gets the platform's SIGTERM.
CMD ["sh", "-c", "host=$(python -c 'import os, urllib.parse; print(urllib.parse.urlsplit(os.environ.get(\"MERIDIAN_MAP_PUBLIC_URL\", \"\")).hostname or \"\")'); export STREAMLIT_SERVER_ALLOWED_HOSTS=\"${STREAMLIT_SERVER_ALLOWED_HOSTS:-localhost 127.0.0.1 $host}\"; exec streamlit run app.py --server.headless=true --server.address=0.0.0.0 --server.port=\"$PORT\" --server.fileWatcherType=none --server.runOnSave=false"]
