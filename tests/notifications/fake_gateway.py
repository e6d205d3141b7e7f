"""A local HTTP server standing in for an SMS gateway or Zalo ZNS: answers what the test scripts.

Started by the tests on 127.0.0.1 and a free port; each request is recorded (method, path,
headers, body) and answered with the next scripted answer, or the default one: `(status, body)`,
or `SLOW`, which answers only after `slow_seconds` (longer than the client's timeout).
"""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SLOW = "slow"


class FakeGateway:
    """The server, its script of answers and what it received."""

    def __init__(self, default=(200, '{"status": "ok", "error": 0}'), slow_seconds: float = 2.0):
        """Listen on a free local port; answer `default` when the script is empty."""
        self.default = default
        self.slow_seconds = slow_seconds
        self.script: list = []
        self.received: list[dict] = []
        self.lock = threading.Lock()
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode("utf-8")
                with gateway.lock:
                    headers = {k.lower(): v for k, v in self.headers.items()}
                    gateway.received.append({"method": self.command, "path": self.path,
                                             "headers": headers, "body": body})
                    answer = gateway.script.pop(0) if gateway.script else gateway.default
                if answer == SLOW:
                    time.sleep(gateway.slow_seconds)
                    answer = gateway.default
                status, text = answer
                data = text.encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up waiting (a timeout test)

            do_POST = do_PUT = _answer

            def log_message(self, *args):
                """Quiet."""

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/send"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        """Start serving."""
        self.thread.start()
        return self

    def __exit__(self, *exc):
        """Stop serving."""
        self.server.shutdown()
        self.server.server_close()

    def bodies(self) -> list[dict]:
        """The JSON bodies received, in order."""
        with self.lock:
            return [json.loads(r["body"]) for r in self.received]
