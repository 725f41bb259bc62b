"""Real HTTP receivers on loopback, started by the tests that need them.

A receiver records every request it gets (headers, body, the address the connection came in
on) and answers with ``status``, or with whatever ``respond(handler)`` does: redirect, send a
huge body, stall. Nothing is mocked: requests travel through the kernel's loopback."""

from __future__ import annotations

import socket
import ssl
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        """A client that hung up on a stalling or oversize answer is expected here."""


class Receiver:
    def __init__(
        self,
        status: int = 200,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        respond: Callable[[BaseHTTPRequestHandler], None] | None = None,
        tls: ssl.SSLContext | None = None,
    ):
        received = self.received = []  # (headers, body) of each request
        arrivals = self.arrivals = []  # the local address each request came in on
        paths = self.paths = []  # the request line's path of each request
        answer = status

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                received.append((dict(self.headers), body))
                arrivals.append(self.connection.getsockname()[0])
                paths.append(self.path)
                if respond is not None:
                    respond(self)
                    return
                self.send_response(answer)
                self.end_headers()
                self.wfile.write(b"ok" if answer < 400 else b"boom")

            do_GET = do_POST

            def log_message(self, *args):
                pass

        family_host = host.strip("[]")
        server_class = _Server
        if ":" in family_host:
            server_class = type("_Server6", (_Server,), {"address_family": socket.AF_INET6})
        self.server = server_class((family_host, port), Handler)
        if tls is not None:
            self.server.socket = tls.wrap_socket(self.server.socket, server_side=True)
        self.port = self.server.server_address[1]
        self.host = family_host
        shown = f"[{family_host}]" if ":" in family_host else family_host
        scheme = "https" if tls is not None else "http"
        self.url = f"{scheme}://{shown}:{self.port}/hooks"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def url_for(self, host: str) -> str:
        """This receiver's URL under another name for its address (``localhost``)."""
        return self.url.replace(f"//{self.host}:", f"//{host}:", 1)

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def redirect_to(location: str, status: int = 302):
    def respond(handler):
        handler.send_response(status)
        handler.send_header("Location", location)
        handler.send_header("Content-Length", "0")
        handler.end_headers()

    return respond


def huge_body(size: int):
    def respond(handler):
        handler.send_response(200)
        handler.send_header("Content-Length", str(size))
        handler.end_headers()
        chunk = b"x" * 65536
        sent = 0
        while sent < size:
            handler.wfile.write(chunk[: size - sent])
            sent += len(chunk)

    return respond


def stall(seconds: float):
    """Answer nothing for ``seconds``."""

    def respond(handler):
        time.sleep(seconds)
        handler.send_response(200)
        handler.end_headers()

    return respond


def trickle(interval: float, forever: float = 10.0):
    """Answer at once, then one byte every ``interval`` seconds: each read is quick, the whole
    answer never ends (a timeout per read would never fire)."""

    def respond(handler):
        handler.send_response(200)
        handler.send_header("Content-Length", "100000")
        handler.end_headers()
        deadline = time.monotonic() + forever
        while time.monotonic() < deadline:
            handler.wfile.write(b"x")
            handler.wfile.flush()
            time.sleep(interval)

    return respond
