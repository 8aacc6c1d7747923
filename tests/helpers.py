"""Helpers shared by test modules (a test module never imports another test module)."""

import os
import socket
import subprocess
import time
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def pdf(name: str = "charter.pdf", content: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def stored_files(root: Path) -> list[Path]:
    return sorted(path for path in Path(root).rglob("*") if path.is_file())


# Every variable the portal's settings read (and `make run`'s HOST/PORT).
SETTINGS_VARIABLE_PREFIXES = ("DJANGO_", "DATABASE_", "CELERY_", "REDIS_", "PORTAL_", "AWS_")
SETTINGS_VARIABLES = {"GCCPORTAL_VAR_DIR", "HOST", "PORT", "BEAT_HEARTBEAT_FILE"}


def environment_without_settings() -> dict[str, str]:
    """This process's environment less the portal's settings: a child process started with it
    (plus what a test adds) is configured by the test alone."""
    return {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(SETTINGS_VARIABLE_PREFIXES) and key not in SETTINGS_VARIABLES
    }


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(predicate, *, timeout: float = 30.0, interval: float = 0.2, what: str = ""):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what or predicate}")


def process_stop(process: subprocess.Popen, *, timeout: float = 15) -> None:
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=timeout)
