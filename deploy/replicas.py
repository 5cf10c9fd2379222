"""Several Meridian Map processes behind nginx, on this machine (`make replicas`).

    python deploy/replicas.py run [--replicas 3] [--port 8600]
        starts the app processes on loopback ports (PORT+1, PORT+2, ...) and Debian's nginx in front
        of them on 127.0.0.1:PORT, in the foreground; Ctrl-C or SIGTERM stops them all.
    python deploy/replicas.py config [--replicas 3] [--port 80] [--first-app-port 8501]
        prints the nginx block for /etc/nginx/conf.d/ (see deploy/README.md).

Each process logs to its own file in the work directory (printed at start), nginx's access log too.
"""

from __future__ import annotations

import argparse
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from types import FrameType

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = Path(__file__).with_name("meridian-map.nginx.conf.template")
MIME_TYPES = Path("/etc/nginx/mime.types")


@dataclass(frozen=True)
class Replica:
    name: str  # what the cookie and the X-Upstream header say: r0, r1, ...
    port: int


def replicas_on(ports: Sequence[int]) -> list[Replica]:
    return [Replica(f"r{i}", port) for i, port in enumerate(ports)]


def http_block(
    replicas: Sequence[Replica],
    listen: str,
    server_name: str = "_",
    access_log: str = "/var/log/nginx/meridian-map.access.log",
    host: str = "127.0.0.1",
) -> str:
    """The template filled in: one upstream group per replica (the others its backups), and any."""
    groups = []
    for replica in replicas:
        lines = [f"    server {host}:{replica.port} max_fails=1 fail_timeout=10s;"]
        lines += [f"    server {host}:{other.port} backup;" for other in replicas if other != replica]
        groups.append(f"upstream meridian_{replica.name} {{\n" + "\n".join(lines) + "\n}")
    servers = "\n".join(f"    server {host}:{r.port} max_fails=1 fail_timeout=10s;" for r in replicas)
    groups.append(f"upstream meridian_any {{\n{servers}\n}}")
    fields = {
        "@UPSTREAMS@": "\n".join(groups),
        "@POOL_MAP@": "\n".join(f"    {r.name} meridian_{r.name};" for r in replicas),
        "@SERVED_MAP@": "\n".join(f'    "~(^|, ){host}:{r.port}$" {r.name};' for r in replicas),
        "@LISTEN@": listen,
        "@SERVER_NAME@": server_name,
        "@ACCESS_LOG@": access_log,
    }
    text = TEMPLATE.read_text(encoding="utf-8")
    for field, value in fields.items():
        text = text.replace(field, value)
    return text


def standalone_config(replicas: Sequence[Replica], port: int, workdir: Path) -> str:
    """A whole nginx configuration that needs no root and writes only into `workdir`."""
    mime = f"include {MIME_TYPES};" if MIME_TYPES.exists() else "types { text/html html; }"
    block = http_block(replicas, f"127.0.0.1:{port}", access_log=str(workdir / "access.log"))
    temp = "\n".join(
        f"    {kind}_temp_path {workdir / kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    return (
        f"worker_processes 1;\npid {workdir / 'nginx.pid'};\nerror_log stderr warn;\n"
        "events { worker_connections 1024; }\n"
        f"http {{\n    {mime}\n    default_type application/octet-stream;\n{temp}\n\n{block}\n}}\n"
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def port_free(port: int) -> bool:
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as servers do: TIME_WAIT is no obstacle
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=1) as response:
            return bool(response.status == 200)
    except OSError:
        return False


def start_replica(replica: Replica, workdir: Path, env: dict[str, str]) -> subprocess.Popen[bytes]:
    command = [
        sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"),
        "--server.headless=true", f"--server.port={replica.port}", "--server.address=127.0.0.1",
        "--server.fileWatcherType=none", "--server.runOnSave=false",
    ]  # fmt: skip
    log = (workdir / f"{replica.name}.log").open("wb")
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)


def run(count: int, port: int, first_app_port: int, workdir: Path | None, timeout: float = 90.0) -> int:
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(nginx).exists():
        print("nginx not found: install Debian's 'nginx' package (make test does)", file=sys.stderr)
        return 2
    wanted = [] if first_app_port == 0 else list(range(first_app_port, first_app_port + count))
    for taken in [port, *wanted]:
        if not port_free(taken):
            print(f"port {taken} is in use (make replicas PORT=...)", file=sys.stderr)
            return 2
    ports = wanted or [free_port() for _ in range(count)]
    replicas = replicas_on(ports)
    workdir = Path(tempfile.mkdtemp(prefix="meridian-replicas-")) if workdir is None else workdir
    workdir.mkdir(parents=True, exist_ok=True)
    workdir.chmod(0o755)  # nginx's workers (nobody, when started by root) write their temp files here
    env = {
        **os.environ,
        "MERIDIAN_MAP_PUBLIC_URL": os.environ.get("MERIDIAN_MAP_PUBLIC_URL", f"http://127.0.0.1:{port}/"),
        # The same on every process, as Streamlit asks of replicas (signed cookies, should auth come).
        "STREAMLIT_SERVER_COOKIE_SECRET": os.environ.get("STREAMLIT_SERVER_COOKIE_SECRET", secrets.token_hex(32)),
        "PYTHONUNBUFFERED": "1",
    }
    config = workdir / "nginx.conf"
    config.write_text(standalone_config(replicas, port, workdir), encoding="utf-8")

    processes: dict[str, subprocess.Popen[bytes]] = {}
    stopping = False

    def stop(signum: int, frame: FrameType | None) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    code = 0
    try:
        for replica in replicas:
            processes[replica.name] = start_replica(replica, workdir, env)
            print(f"replica {replica.name}: pid {processes[replica.name].pid}, http://127.0.0.1:{replica.port}")
        start = time.monotonic()
        waiting = {r.name: f"http://127.0.0.1:{r.port}" for r in replicas}
        while waiting and not stopping:
            for name, url in list(waiting.items()):
                if processes[name].poll() is not None:
                    print(f"replica {name} exited early; see {workdir / (name + '.log')}", file=sys.stderr)
                    return 1
                if healthy(url):
                    del waiting[name]
            if time.monotonic() - start > timeout:
                print(f"replicas {sorted(waiting)} not healthy after {timeout:.0f} s", file=sys.stderr)
                return 1
            time.sleep(0.2)
        if stopping:
            return 0
        processes["nginx"] = subprocess.Popen(
            [nginx, "-c", str(config), "-p", str(workdir), "-g", "daemon off;"], start_new_session=True
        )
        start = time.monotonic()
        while not healthy(f"http://127.0.0.1:{port}") and not stopping:
            if processes["nginx"].poll() is not None or time.monotonic() - start > 15:
                print(f"nginx did not start on 127.0.0.1:{port}; config {config}", file=sys.stderr)
                return 1
            time.sleep(0.1)
        print(f"logs and nginx config: {workdir}")
        print(f"ready: http://127.0.0.1:{port}/ ({count} replicas; Ctrl-C stops them all)", flush=True)
        reported: set[str] = set()
        while not stopping:
            if processes["nginx"].poll() is not None:
                print("nginx exited; stopping the replicas", file=sys.stderr)
                code = 1
                break
            for replica in replicas:
                status = processes[replica.name].poll()
                if status is not None and replica.name not in reported:
                    reported.add(replica.name)
                    print(f"replica {replica.name} exited ({status}); its sessions move on to the others", flush=True)
            if len(reported) == len(replicas):
                print("every replica has exited", file=sys.stderr)
                code = 1
                break
            time.sleep(0.2)
        return code
    finally:
        shutdown(processes)


def shutdown(processes: dict[str, subprocess.Popen[bytes]]) -> None:
    """nginx first (no new requests), then the app processes; killed if they take over 10 s."""
    order = sorted(processes, key=lambda name: name != "nginx")
    for name in order:
        if processes[name].poll() is None:
            processes[name].send_signal(signal.SIGQUIT if name == "nginx" else signal.SIGTERM)
    deadline = time.monotonic() + 10
    for name in order:
        try:
            processes[name].wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            processes[name].kill()
            processes[name].wait()
    print("stopped", flush=True)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    run_parser = sub.add_parser("run", help="start the replicas and nginx in the foreground")
    run_parser.add_argument("--replicas", type=int, default=3)
    run_parser.add_argument("--port", type=int, default=8600, help="nginx's port on 127.0.0.1")
    run_parser.add_argument("--first-app-port", type=int, help="the first replica's port (default PORT+1; 0: any free)")
    run_parser.add_argument("--workdir", type=Path, help="for the logs and nginx's files (default: a new temp dir)")
    config_parser = sub.add_parser("config", help="print the nginx block for conf.d")
    config_parser.add_argument("--replicas", type=int, default=3)
    config_parser.add_argument("--port", default="80", help="what nginx listens on (a port or address:port)")
    config_parser.add_argument("--first-app-port", type=int, default=8501)
    config_parser.add_argument("--server-name", default="_")
    config_parser.add_argument("--host", default="127.0.0.1", help="where the app processes listen")
    args = parser.parse_args(argv)
    if args.replicas < 1:
        parser.error("--replicas must be 1 or more")
    if args.command == "config":
        ports = range(args.first_app_port, args.first_app_port + args.replicas)
        print(http_block(replicas_on(list(ports)), str(args.port), args.server_name, host=args.host), end="")
        return 0
    first = args.port + 1 if args.first_app_port is None else args.first_app_port
    return run(args.replicas, args.port, first, args.workdir)


if __name__ == "__main__":
    sys.exit(main())
