"""bin/run-embedded (`make run`) stopping: Ctrl-C says the three processes were stopped, a
process that dies on its own is named with its log, and the others are stopped.

The script runs with PY set to a stand-in (a tiny shell script) for Python: web, worker and
beat just sleep, unless the test makes one of them exit.
"""

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest
from django.conf import settings

from tests.helpers import environment_without_settings

SCRIPT = Path(settings.BASE_DIR) / "bin" / "run-embedded"
READY = "Ctrl-C stops all."

FAKE_PYTHON = """#!/usr/bin/env bash
case "$*" in
  *demo_data*) echo "  (demo sign-ins)"; exit 0 ;;
  *" $CRASHING "*) sleep 0.3; echo "boom" >&2; exit 3 ;;
  *) exec sleep 60 ;;
esac
"""


def start(tmp_path: Path, crashing: str = "none") -> subprocess.Popen:
    fake = tmp_path / "fake-python"
    fake.write_text(FAKE_PYTHON)
    fake.chmod(0o755)
    env = {
        **environment_without_settings(),
        "PY": str(fake),
        "GCCPORTAL_VAR_DIR": str(tmp_path / "var"),
        # The command lines are "-m celery -A gccportal worker ...", "... beat ...",
        # "manage.py runserver ...": match one by a word surrounded by spaces.
        "CRASHING": crashing,
    }
    # Its own process group, as a terminal's foreground job: Ctrl-C signals the whole group.
    return subprocess.Popen(
        [str(SCRIPT)],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


def read_until_ready(process: subprocess.Popen) -> str:
    lines = []
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        lines.append(line)
        if READY in line:
            return "".join(lines)
    process.kill()
    pytest.fail(f"bin/run-embedded never got ready:\n{''.join(lines)}")


def test_ctrl_c_says_the_processes_were_stopped(tmp_path):
    process = start(tmp_path)
    read_until_ready(process)

    os.killpg(process.pid, signal.SIGINT)
    stdout, stderr = process.communicate(timeout=20)

    assert process.returncode == 0
    assert "Stopped web, worker and beat." in stdout
    assert "stopped (exit status" not in stdout + stderr
    assert "see " not in stderr


def test_a_crash_names_the_process_and_its_log(tmp_path):
    process = start(tmp_path, crashing="beat")

    stdout, stderr = process.communicate(timeout=20)

    assert process.returncode == 1
    log = tmp_path / "var" / "log" / "beat.log"
    assert (f"The beat process stopped (exit status 3); see {log}. Stopping the others.") in stderr
    assert "Stopped web, worker and beat." not in stdout
    assert log.read_text() == "boom\n"
