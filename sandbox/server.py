"""Threaded werkzeug server for the sandbox, with a request handler that notes duplicate
Content-Type header lines (TikTok answers 36009022 to those)."""

from __future__ import annotations

import threading

from werkzeug.serving import WSGIRequestHandler, make_server


class SandboxRequestHandler(WSGIRequestHandler):
    def make_environ(self):
        environ = super().make_environ()
        environ["sandbox.content_type_count"] = len(self.headers.get_all("Content-Type") or [])
        return environ

    def log_request(self, code="-", size="-"):  # quieter than the default
        if getattr(self.server, "sandbox_quiet", False):
            return
        super().log_request(code, size)


def make_sandbox_server(app, host: str = "127.0.0.1", port: int = 0, quiet: bool = False):
    srv = make_server(host, port, app, threaded=True, request_handler=SandboxRequestHandler)
    srv.sandbox_quiet = quiet  # type: ignore[attr-defined]  # read by SandboxRequestHandler.log_request
    return srv


class ServerThread:
    """Run the sandbox on a background thread (tests, demos): ``with ServerThread(app) as s: s.url``."""

    def __init__(self, app, host: str = "127.0.0.1", port: int = 0, quiet: bool = True):
        self.app = app
        self.server = make_sandbox_server(app, host, port, quiet=quiet)
        self.host, self.port = self.server.server_address[:2]
        self.url = f"http://{self.host}:{self.port}"
        self._thread = threading.Thread(target=self.server.serve_forever, name="sandbox-http", daemon=True)

    def start(self):
        self._thread.start()
        return self

    def stop(self):
        self.server.shutdown()
        self.server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
