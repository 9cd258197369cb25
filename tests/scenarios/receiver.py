"""A real local HTTP server standing in for a third party (an SMS provider, a webhook's address)."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from parcours.queue import free_port


class Receiver:
    """Answers 201 like Twilio's Messages endpoint and 200 to webhooks (500 under /broken);
    keeps every request."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["content-length"]))
                outer.requests.append({"path": self.path, "headers": dict(self.headers), "body": body})
                failing = self.path.startswith("/broken")
                self.send_response(500 if failing else 201)
                self.send_header("content-type", "application/json")
                self.end_headers()
                self.wfile.write(b'{"sid": "SM123"}')

            def log_message(self, *args: Any) -> None:
                pass

        self.port = free_port()
        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def to(self, path: str) -> list[dict[str, Any]]:
        return [r for r in self.requests if r["path"].startswith(path)]
