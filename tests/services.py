"""Services of a test's own, that it may break: a Redis server, an SMTP server and a webhook
receiver.

Fixtures, imported by tests/conftest.py.
"""

import asyncio
import logging
import os
import signal
import socket
import subprocess
import threading
import time
from dataclasses import dataclass, field
from email import message_from_bytes
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP

from tests.helpers import free_port, process_stop, wait_for


class RedisServer:
    """A redis-server of a test's own on a fixed free port: stopped, started again, frozen."""

    def __init__(self, directory):
        self.port = free_port()
        self.directory = directory
        self.url = f"redis://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None

    def answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def start(self) -> None:
        # A service's own clock: not moved by a faketime run of the suite (it breaks it).
        real_clock = {
            key: value
            for key, value in os.environ.items()
            if key != "LD_PRELOAD" and not key.startswith("FAKETIME")
        }
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.directory),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=real_clock,
        )
        wait_for(self.answers, timeout=10, what="redis-server")

    def stop(self) -> None:
        """Stopped: connections are refused (what it held is lost, as with `--save ""`)."""
        if self.process is not None:
            self.thaw()
            process_stop(self.process)
            self.process = None

    def freeze(self) -> None:
        """Paused (SIGSTOP): connections are accepted by the kernel, never answered."""
        self.process.send_signal(signal.SIGSTOP)

    def thaw(self) -> None:
        self.process.send_signal(signal.SIGCONT)


@pytest.fixture
def own_redis(tmp_path):
    """A Redis server of this test's own, on a free loopback port, that it may break."""
    server = RedisServer(tmp_path)
    server.start()
    yield server
    server.stop()


@dataclass
class Received:
    to: list[str]
    message_id: str
    subject: str
    at: float  # time.monotonic() when the server had the whole message


@dataclass
class SMTPSink:
    """An SMTP server that records what it accepts and can refuse or be slow.

    `refuse`: recipient addresses answered `550` at RCPT. `ack_delay`: seconds the server
    waits, after it has the whole message, before answering DATA (a slow server; the message
    counts as received either way, as with a real server that stored it).
    """

    host: str = "127.0.0.1"
    port: int = 0
    refuse: set[str] = field(default_factory=set)
    ack_delay: float = 0.0
    data_reply: str = "250 Message accepted for delivery"  # the answer to a whole message
    data_command_reply: str = ""  # set: the answer to the DATA command itself (a refusal)
    received: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower() in self.refuse:
            return "550 5.1.1 Mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = message_from_bytes(envelope.original_content or envelope.content)
        with self.lock:
            self.received.append(
                Received(
                    to=list(envelope.rcpt_tos),
                    message_id=message["Message-ID"] or "",
                    subject=message["Subject"] or "",
                    at=time.monotonic(),
                )
            )
        if self.ack_delay:
            await asyncio.sleep(self.ack_delay)
        return self.data_reply

    def message_ids(self) -> list[str]:
        with self.lock:
            return [item.message_id for item in self.received]

    @property
    def settings(self) -> dict[str, str]:
        """Environment for a process that sends through this server (production backend)."""
        return {
            "DJANGO_EMAIL_BACKEND": "notifications.backends.EmailBackend",
            "EMAIL_HOST": self.host,
            "EMAIL_PORT": str(self.port),
        }


class _SinkSMTP(SMTP):
    async def smtp_DATA(self, arg: str) -> None:
        refusal = self.event_handler.data_command_reply
        if refusal and self.envelope is not None and self.envelope.rcpt_tos:
            await self.push(refusal)  # the DATA command refused: no content is read
            return
        await super().smtp_DATA(arg)


class _SinkController(Controller):
    def factory(self):
        return _SinkSMTP(self.handler, **self.SMTP_kwargs)


@pytest.fixture
def smtp_sink():
    logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd's per-command log
    sink = SMTPSink(port=free_port())
    controller = _SinkController(sink, hostname=sink.host, port=sink.port, ready_timeout=10)
    controller.start()
    yield sink
    controller.stop()


@dataclass
class Delivered:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class WebhookReceiver:
    """An HTTP server on loopback that records each POST and answers with the next status of
    `answers` (then `then`): `receiver.answers = [500, 500]` fails twice, then answers 200."""

    host: str = "127.0.0.1"
    port: int = 0
    answers: list[int] = field(default_factory=list)
    then: int = 200
    received: list[Delivered] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}/hooks/gcc"

    def answer(self) -> int:
        return self.answers.pop(0) if self.answers else self.then


@pytest.fixture
def webhook_receiver():
    receiver = WebhookReceiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            receiver.received.append(Delivered(self.path, dict(self.headers.items()), body))
            status = receiver.answer()
            self.send_response(status)
            if 300 <= status < 400:
                self.send_header("Location", "http://127.0.0.1:9/elsewhere")
            self.send_header("Content-Type", "text/plain")
            self.end_headers()
            self.wfile.write(f"answered {status}".encode())

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer((receiver.host, 0), Handler)
    receiver.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield receiver
    server.shutdown()
    server.server_close()
