"""A real deployment: the container recipe (read, not built: images cannot be pulled here), the
server settings, and several app processes behind Debian's nginx driven by six Chromium sessions."""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shlex
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from meridian_map.export import export_atlas
from meridian_map.testing import chromium, free_port, map_state, running_app, wait_for_app

from .conftest import ROOT

NGINX = "/usr/sbin/nginx"


def load_replicas() -> ModuleType:
    spec = importlib.util.spec_from_file_location("replicas", ROOT / "deploy" / "replicas.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["replicas"] = module
    spec.loader.exec_module(module)
    return module


replicas = load_replicas()


# -- the Dockerfile, read ------------------------------------------------------------------------
def instructions(path: Path) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) of a Dockerfile, continuation lines joined, comments dropped."""
    logical, pending = [], ""
    for line in path.read_text(encoding="utf-8").splitlines():
        if not pending and (not line.strip() or line.lstrip().startswith("#")):
            continue
        if line.rstrip().endswith("\\"):
            pending += line.rstrip()[:-1] + " "
            continue
        logical.append(pending + line)
        pending = ""
    assert not pending, "the Dockerfile ends inside a continued line"
    return [(text.split(None, 1)[0].upper(), text.split(None, 1)[1].strip()) for text in logical]


def test_the_dockerfile_builds_a_slim_non_root_image_with_a_health_check() -> None:
    steps = instructions(ROOT / "Dockerfile")
    names = [name for name, _ in steps]
    assert names[0] == "FROM" and re.fullmatch(r"python:3\.1[1-9]-slim", steps[0][1])
    assert set(names) <= {"FROM", "ENV", "RUN", "WORKDIR", "COPY", "USER", "EXPOSE", "HEALTHCHECK", "CMD", "ARG"}
    users = [value for name, value in steps if name == "USER"]
    assert users and users[-1] not in {"root", "0"}
    assert names.index("USER") < names.index("CMD") and names[-1] == "CMD"
    env = " ".join(value for name, value in steps if name == "ENV")
    for setting in ("MERIDIAN_MAP_DATA=", "MERIDIAN_MAP_PUBLIC_URL=", "PORT="):
        assert setting in env
    (health,) = [value for name, value in steps if name == "HEALTHCHECK"]
    assert "/_stcore/health" in health and "$PORT" not in health and 'os.environ[\\"PORT\\"]' in health
    (command,) = [value for name, value in steps if name == "CMD"]
    assert command.startswith("[")  # exec form: the server gets the platform's SIGTERM
    assert "exec streamlit run app.py" in command and '--server.port=\\"$PORT\\"' in command
    assert "STREAMLIT_SERVER_ALLOWED_HOSTS" in command and "--server.address=0.0.0.0" in command


def test_the_dockerfile_copies_only_what_exists_and_is_not_ignored() -> None:
    ignored = [
        line.strip() for line in (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]  # fmt: skip
    for must in (".git", ".venv", "tests", "bench"):
        assert must in ignored
    for name, value in instructions(ROOT / "Dockerfile"):
        if name != "COPY":
            continue
        sources = [part for part in shlex.split(value) if not part.startswith("--")][:-1]
        for source in sources:
            assert (ROOT / source).exists(), source
            assert source.rstrip("/") not in ignored, f"{source} is copied but .dockerignore leaves it out"


def test_the_image_start_command_turns_the_public_url_into_an_allowed_host(tmp_path: Path) -> None:
    """The CMD's shell line, run with `streamlit` replaced by `echo`: what the server would get."""
    (command,) = [value for name, value in instructions(ROOT / "Dockerfile") if name == "CMD"]
    shell = json.loads(command)[2].replace("exec streamlit", "echo streamlit; echo $STREAMLIT_SERVER_ALLOWED_HOSTS #")
    env = {"PATH": os.environ["PATH"], "PORT": "9000", "MERIDIAN_MAP_PUBLIC_URL": "https://meridian.example.org/x/"}
    shim = tmp_path / "python"
    shim.symlink_to(sys.executable)
    env["PATH"] = f"{tmp_path}:{env['PATH']}"
    out = subprocess.run(["sh", "-c", shell], env=env, capture_output=True, text=True, check=True).stdout.split("\n")
    assert out[1].split() == ["localhost", "127.0.0.1", "meridian.example.org"]


# -- server settings ---------------------------------------------------------------------------
def websocket_status(url: str, host: str) -> int:
    """The status a websocket upgrade to the app's stream gets, with this Host and Origin."""
    port = int(url.rsplit(":", 1)[1])
    request = (
        f"GET /_stcore/stream HTTP/1.1\r\nHost: {host}\r\nOrigin: http://{host}\r\nUpgrade: websocket\r\n"
        "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
        "Sec-WebSocket-Protocol: streamlit\r\n\r\n"
    )
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(request.encode())
        status_line = sock.recv(4096).split(b"\r\n", 1)[0].decode()
    return int(status_line.split()[1])


@pytest.mark.e2e
def test_a_dns_rebinding_page_cannot_open_the_websocket() -> None:
    with running_app() as url:
        assert websocket_status(url, f"127.0.0.1:{url.rsplit(':', 1)[1]}") == 101
        assert websocket_status(url, "localhost") == 101
        assert websocket_status(url, "rebind.attacker.test") != 101


# -- the nginx configuration -------------------------------------------------------------------
def test_the_nginx_config_is_accepted_by_nginx(tmp_path: Path) -> None:
    config = tmp_path / "nginx.conf"
    config.write_text(replicas.standalone_config(replicas.replicas_on([8701, 8702, 8703]), 8700, tmp_path))
    result = subprocess.run(
        [NGINX, "-t", "-c", str(config), "-p", str(tmp_path), "-g", "daemon off;"], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr


def test_the_conf_d_block_names_every_replica_and_leaves_no_field_unfilled() -> None:
    block = subprocess.run(
        [sys.executable, str(ROOT / "deploy" / "replicas.py"), "config", "--replicas", "4", "--first-app-port", "8501"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    assert "@" not in re.sub(r"#.*", "", block)
    assert [f"upstream meridian_r{i} {{" in block for i in range(4)] == [True] * 4
    assert "server 127.0.0.1:8504 max_fails=1 fail_timeout=10s;" in block
    assert "location = /_stcore/metrics" in block and "frame-ancestors 'self'" in block


# -- replicas behind nginx, in Chromium --------------------------------------------------------
class Cluster:
    """`deploy/replicas.py run` (what `make replicas` starts), read from its own output."""

    def __init__(self, count: int, workdir: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.workdir = workdir
        command = [sys.executable, str(ROOT / "deploy" / "replicas.py"), "run", "--replicas", str(count),
                   "--port", str(self.port), "--first-app-port", "0", "--workdir", str(workdir)]  # fmt: skip
        self.process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, text=True)
        self.pids: dict[str, int] = {}
        self.ports: dict[str, int] = {}
        assert self.process.stdout is not None
        for line in self.process.stdout:
            if match := re.match(r"replica (r\d+): pid (\d+), http://127\.0\.0\.1:(\d+)", line):
                self.pids[match[1]], self.ports[match[1]] = int(match[2]), int(match[3])
            if line.startswith("ready:"):
                stdout = self.process.stdout  # keep reading, so that its later lines never block it
                threading.Thread(target=stdout.read, daemon=True).start()
                return
        raise RuntimeError(f"deploy/replicas.py exited: {self.process.wait()}")

    def stop(self) -> int:
        self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=20)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    running = Cluster(3, tmp_path_factory.mktemp("replicas"))
    try:
        yield running
    finally:
        if running.process.poll() is None:
            running.stop()


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie (exited, not yet reaped by replicas.py) is not alive
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except FileNotFoundError:
        return False


class Session:
    """One browser, its replica cookie, every X-Upstream it was answered with, its websockets."""

    def __init__(self, browser: Browser, url: str, number: int) -> None:
        self.context: BrowserContext = browser.new_context(
            viewport={"width": 1400, "height": 1300}, user_agent=f"Mozilla/5.0 meridian-session-{number}"
        )
        self.page: Page = self.context.new_page()
        self.upstreams: list[str] = []
        self.sockets = 0
        self.page.on("response", lambda r: self.upstreams.append(r.headers.get("x-upstream", "")))
        self.page.on("websocket", lambda ws: setattr(self, "sockets", self.sockets + 1))
        self.page.goto(url, wait_until="commit")

    def replica(self) -> str:
        return next(c["value"] for c in self.context.cookies() if c["name"] == "meridian_replica")


def click_region(page: Page, exported: dict[str, Any], region_id: str) -> None:
    """Click a region's anchor through the plot's axes, and wait until the link names it."""
    from meridian_map.testing import click_and_wait

    region = next(r for r in exported["regions"] if r["id"] == region_id and r["view"] == "posterior")
    click_and_wait(page, region["anchor"][0], region["anchor"][1], timeout=30_000)
    page.wait_for_function(
        "(id) => (new URLSearchParams(location.search).get('regions') || '').split(',').includes(id)",
        arg=region_id,
        timeout=30_000,
    )
    wait_for_app(page, timeout=30_000)


def page_weight(page: Page) -> dict[str, int]:
    """Bytes over the wire for the page and everything it fetched, and the same uncompressed."""
    sizes: dict[str, int] = page.evaluate(
        """() => {
            const entries = ['navigation', 'resource'].flatMap((kind) => performance.getEntriesByType(kind));
            return {
                transfer: entries.reduce((s, e) => s + e.transferSize, 0),
                encoded: entries.reduce((s, e) => s + e.encodedBodySize, 0),
                decoded: entries.reduce((s, e) => s + e.decodedBodySize, 0),
                files: entries.length,
            };
        }"""
    )
    return sizes


REGIONS = ["lower_back_left", "sacrum", "buttock_left", "lower_back_right", "buttock_right", "neck_left"]
LATER = ["neck_right", "lower_back_left", "sacrum", "buttock_left", "neck_left", "lower_back_right"]


@pytest.mark.e2e
def test_six_sessions_across_three_replicas_stick_and_survive_losing_one(
    cluster: Cluster, atlas: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    exported = export_atlas(atlas)
    labels = {r["id"]: r["label"] for r in exported["regions"]}
    start = time.perf_counter()
    with chromium() as browser:
        sessions = [Session(browser, cluster.url, n) for n in range(6)]
        for session in sessions:
            wait_for_app(session.page, timeout=60_000)
        weight = page_weight(sessions[0].page)
        on = [session.replica() for session in sessions]
        assert sorted(on) == ["r0", "r0", "r1", "r1", "r2", "r2"]  # the first answers went round

        for session, region in zip(sessions, REGIONS, strict=True):
            click_region(session.page, exported, region)
            expect(session.page.locator(".st-key-explanation")).to_contain_text(labels[region])
        for session, replica in zip(sessions, on, strict=True):
            assert set(session.upstreams) == {replica}  # every answer came from its own replica
            assert session.replica() == replica and session.sockets == 1

        victim = on[0]
        os.kill(cluster.pids[victim], signal.SIGKILL)
        killed_at = time.perf_counter()
        moved = [s for s, r in zip(sessions, on, strict=True) if r == victim]
        stayed = [s for s, r in zip(sessions, on, strict=True) if r != victim]
        for session in stayed:  # untouched: the same websocket, and a click still answers
            index = sessions.index(session)
            before = len(session.upstreams)
            click_region(session.page, exported, LATER[index])
            expect(session.page.locator(".st-key-explanation")).to_contain_text(labels[LATER[index]])
            assert session.sockets == 1 and set(session.upstreams[before:]) <= {on[index], ""}
        for session in moved:  # a new websocket to another replica; the view comes back from the URL
            index = sessions.index(session)
            session.page.wait_for_function("() => true")  # let Playwright deliver pending events
            deadline = time.perf_counter() + 30
            while session.sockets < 2 and time.perf_counter() < deadline:
                session.page.wait_for_timeout(200)
            assert session.sockets >= 2, "the session did not reconnect"
            wait_for_app(session.page, timeout=30_000)
            expect(session.page.locator(".st-key-explanation")).to_contain_text(labels[REGIONS[index]])
            assert map_state(session.page)["regions"] == REGIONS[index]
            assert session.replica() != victim
        reconnected_in = time.perf_counter() - killed_at

        # Through the proxy: headers on the page, metrics not public (a replica's own port has them).
        with urllib.request.urlopen(cluster.url) as response:
            assert response.headers["Content-Security-Policy"] == "frame-ancestors 'self'"
            assert response.headers["X-Frame-Options"] == "SAMEORIGIN"
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(f"{cluster.url}/_stcore/metrics")
        assert refused.value.code == 404
        alive_replica = next(r for r in cluster.pids if r != victim)
        with urllib.request.urlopen(f"http://127.0.0.1:{cluster.ports[alive_replica]}/_stcore/metrics") as response:
            assert response.status == 200
        for session in sessions:
            session.context.close()

    # nginx logs a websocket when it closes: each untouched session had exactly one, on its replica.
    log = (cluster.workdir / "access.log").read_text()
    for session in stayed:
        index = sessions.index(session)
        streams = [line for line in log.splitlines() if "/_stcore/stream" in line and f'session-{index}"' in line]
        assert len(streams) == 1 and f"replica={on[index]} " in streams[0], streams

    assert cluster.stop() == 0  # SIGTERM stops nginx and every replica
    assert not any(alive(pid) for pid in cluster.pids.values())
    assert replicas.port_free(cluster.port)
    elapsed = time.perf_counter() - start
    assert weight["transfer"] < 0.45 * weight["decoded"] and weight["transfer"] < 2_000_000, weight
    with capsys.disabled():
        print(
            f"\n  through nginx: page weight {weight['transfer'] / 1000:.0f} kB over the wire "
            f"({weight['decoded'] / 1000:.0f} kB uncompressed, {weight['files']} files); "
            f"replica {victim} killed, its {len(moved)} sessions restored in {reconnected_in:.1f} s, "
            f"{len(stayed)} others untouched; {elapsed:.0f} s in all"
        )
