"""Slack's end of Socket Mode, for tests: a WebSocket server (RFC 6455, plain ws:// on
loopback) that `apps.connections.open` hands out. It greets each connection with `hello`,
sends the envelopes a test pushes (`slash_commands`, `interactive`, `events_api`) and keeps
what the app answers (`{"envelope_id", "payload"}`); pings are answered with pongs."""

from __future__ import annotations

import base64
import hashlib
import json
import socket
import struct
import threading
import time
import uuid
from typing import Any

GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


def _frame(opcode: int, data: bytes) -> bytes:
    head = bytes([0x80 | opcode])
    if len(data) < 126:
        head += bytes([len(data)])
    elif len(data) < 65536:
        head += bytes([126]) + struct.pack("!H", len(data))
    else:
        head += bytes([127]) + struct.pack("!Q", len(data))
    return head + data


def _read_exact(sock: socket.socket, n: int) -> bytes:
    chunks = b""
    while len(chunks) < n:
        chunk = sock.recv(n - len(chunks))
        if not chunk:
            raise ConnectionError("closed")
        chunks += chunk
    return chunks


def _read_frame(sock: socket.socket) -> tuple[int, bytes]:
    first, second = _read_exact(sock, 2)
    opcode, length = first & 0x0F, second & 0x7F
    if length == 126:
        length = struct.unpack("!H", _read_exact(sock, 2))[0]
    elif length == 127:
        length = struct.unpack("!Q", _read_exact(sock, 8))[0]
    mask = _read_exact(sock, 4) if second & 0x80 else b""
    data = _read_exact(sock, length)
    if mask:
        data = bytes(b ^ mask[i % 4] for i, b in enumerate(data))
    return opcode, data


class SocketModeServer:
    def __init__(self) -> None:
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = int(self._listener.getsockname()[1])
        self._lock = threading.Lock()
        self._clients: list[socket.socket] = []
        self.answers: dict[str, dict[str, Any]] = {}
        self.handshakes = 0
        self._stopping = False
        threading.Thread(target=self._accept, daemon=True, name="socket-mode").start()

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/link/?ticket={uuid.uuid4().hex}"

    def close(self) -> None:
        self._stopping = True
        self._listener.close()
        with self._lock:
            for client in self._clients:
                client.close()

    def _accept(self) -> None:
        while not self._stopping:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client: socket.socket) -> None:
        try:
            request = b""
            while b"\r\n\r\n" not in request:
                chunk = client.recv(4096)
                if not chunk:
                    return
                request += chunk
            headers = dict(
                line.split(": ", 1) for line in request.decode().split("\r\n")[1:] if ": " in line
            )
            accept = base64.b64encode(
                hashlib.sha1((headers["Sec-WebSocket-Key"] + GUID).encode()).digest()
            ).decode()
            client.sendall(
                (
                    "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                    f"Connection: Upgrade\r\nSec-WebSocket-Accept: {accept}\r\n\r\n"
                ).encode()
            )
            with self._lock:
                self._clients.append(client)
                self.handshakes += 1
            hello = {"type": "hello", "num_connections": 1,
                     "connection_info": {"app_id": "A0FAKEAPP1"}}  # fmt: skip
            self._send(client, hello)
            while True:
                opcode, data = _read_frame(client)
                if opcode == 0x9:  # ping
                    with self._lock:
                        client.sendall(_frame(0xA, data))
                elif opcode == 0x8:  # close
                    return
                elif opcode == 0x1:
                    message = json.loads(data)
                    if "envelope_id" in message:
                        with self._lock:
                            self.answers[message["envelope_id"]] = message
        except (ConnectionError, OSError, ValueError, KeyError):
            return
        finally:
            with self._lock:
                if client in self._clients:
                    self._clients.remove(client)
            client.close()

    def _send(self, client: socket.socket, message: dict[str, Any]) -> None:
        with self._lock:
            client.sendall(_frame(0x1, json.dumps(message).encode()))

    def connected(self) -> bool:
        with self._lock:
            return bool(self._clients)

    def send(self, envelope_type: str, payload: dict[str, Any]) -> str:
        """Push an envelope to the connected app; its id."""
        envelope_id = str(uuid.uuid4())
        envelope = {"envelope_id": envelope_id, "type": envelope_type, "payload": payload,
                    "accepts_response_payload": envelope_type != "events_api",
                    "retry_attempt": 0, "retry_reason": ""}  # fmt: skip
        with self._lock:
            client = self._clients[-1]
        self._send(client, envelope)
        return envelope_id

    def answer(self, envelope_id: str, timeout: float = 3.0) -> dict[str, Any]:
        """The app's acknowledgement of an envelope (Slack's three seconds by default)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if envelope_id in self.answers:
                    return self.answers[envelope_id]
            time.sleep(0.01)
        raise AssertionError(f"no acknowledgement of envelope {envelope_id} in {timeout} s")
