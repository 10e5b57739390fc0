"""HTTP front of the emulator (``http.server``), one log line per request."""

import json
import logging
import socket
import struct
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler

_logger = logging.getLogger(__name__)
MAX_BODY = 1024 * 1024


class EmulatedDrop(Exception):
    """In-process stand-in for a connection closed without an answer."""


@dataclass
class Reply:
    status: int = 200
    body: object = None  # JSON-able value, or bytes sent as they are
    headers: dict = field(default_factory=dict)
    action: str | None = None  # "reset" or "hang": no answer at all

    def payload(self):
        if isinstance(self.body, bytes):
            return self.body, "text/html; charset=utf-8"
        data = json.dumps(self.body, ensure_ascii=False).encode()
        return data, "application/json; charset=utf-8"


class EmulatorHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as Vchasno's HTTPS front
    server_version = "VchasnoEmulator/1.0"
    # Headers and body are two writes: without TCP_NODELAY, Nagle plus the
    # peer's delayed ACK add ~40 ms to every keep-alive answer.
    disable_nagle_algorithm = True

    def do_GET(self):
        self._serve("GET")

    def do_POST(self):
        self._serve("POST")

    def log_message(self, format, *args):
        """Silence the default stderr log; ``_serve`` logs one line."""

    def _serve(self, method):
        started = time.monotonic()
        emulator = self.server.emulator
        path = self.path.split("?", 1)[0]
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            self.close_connection = True
            return self._write(Reply(413, {"detail": "Request too large"}))
        raw = self.rfile.read(length) if length else b""
        reply = emulator.route(method, path, self.headers.get("Authorization"), raw)
        if reply.action == "reset":
            self.close_connection = True
            # SO_LINGER 0: closing sends a TCP reset instead of an answer.
            self.connection.setsockopt(
                socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)
            )
        elif reply.action == "hang":
            emulator._stop.wait(emulator._config["hang_s"])
            self.close_connection = True
        else:
            self._write(reply)
        _logger.info(
            "%s %s -> %s (%.0f ms)",
            method,
            path,
            reply.action or reply.status,
            (time.monotonic() - started) * 1000,
        )

    def _write(self, reply):
        data, content_type = reply.payload()
        self.send_response(reply.status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for key, value in reply.headers.items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(data)
