"""The deployment files, read as an operator would, and their processes run for real.

No Docker engine runs here: the compose file is parsed and checked, and the very command
lines and healthchecks it declares for web, worker and beat are run with production
settings on PostgreSQL and a Redis of the test's own (so it can be stopped).
"""

import os
import re
import secrets
import shlex
import socket
import subprocess
import sys
import tomllib
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml
from django.conf import settings

from gccportal.beat import heartbeat_write
from tests.helpers import environment_without_settings, free_port, process_stop, wait_for
from tests.worker import database_url

BASE_DIR = Path(settings.BASE_DIR)
COMPOSE = yaml.safe_load((BASE_DIR / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]
APP_SERVICES = ["web", "worker", "beat"]
LONG_RUNNING = sorted(name for name, spec in SERVICES.items() if spec.get("restart") != "no")
SECRET_NAME = re.compile(r"PASSWORD|SECRET|_KEY\b|TOKEN", re.IGNORECASE)
INTERPOLATION = re.compile(r"^\$\{[A-Z_][A-Z0-9_]*(:?[?-][^}]*)?\}$")
TRIVIAL_CHECKS = re.compile(r"^(true|exit 0|test -[ef] .*|ls .*|echo .*)$")


def healthcheck_command(service: str) -> list[str]:
    test = SERVICES[service]["healthcheck"]["test"]
    kind, *args = test
    if kind == "CMD-SHELL":
        # Compose turns `$$` into a literal `$` for the container's shell.
        return ["sh", "-c", args[0].replace("$$", "$")]
    assert kind == "CMD", test
    return args


# -- the compose file -------------------------------------------------------------------------


def test_every_long_running_service_has_a_real_healthcheck():
    assert LONG_RUNNING == [
        "beat",
        "mailpit",
        "minio",
        "postgres",
        "redis",
        "web",
        "worker",
    ]
    for name in LONG_RUNNING:
        check = SERVICES[name].get("healthcheck")
        assert check, f"{name} has no healthcheck"
        assert check["test"][0] in {"CMD", "CMD-SHELL"}, name
        command = " ".join(check["test"][1:])
        assert not TRIVIAL_CHECKS.match(command), f"{name}: {command} proves nothing"
    assert healthcheck_command("web") == ["python", "-m", "gccportal.healthcheck", "web"]
    assert healthcheck_command("beat") == ["python", "-m", "gccportal.healthcheck", "beat"]
    assert "inspect ping -d celery@$HOSTNAME" in healthcheck_command("worker")[-1]


def _environment_values():
    for name, spec in SERVICES.items():
        environment = spec.get("environment") or {}
        if isinstance(environment, list):
            environment = dict(item.split("=", 1) for item in environment)
        for key, value in environment.items():
            yield name, key, str(value)


def test_the_compose_file_holds_no_secret():
    assert "DJANGO_SECRET_KEY" not in {key for _, key, _ in _environment_values()}
    for service, key, value in _environment_values():
        if SECRET_NAME.search(key):
            assert INTERPOLATION.match(value), f"{service}.{key} is written in the file"
        for url in re.findall(r"[a-z0-9+]+://[^\s\"']+", value):
            password = urlsplit(url).password
            assert password is None or password.startswith("${"), f"{service}.{key}: {url}"


def test_documents_go_to_the_object_store_and_app_containers_keep_no_state():
    for service in ["migrate", *APP_SERVICES]:
        spec = SERVICES[service]
        environment = spec["environment"]
        assert environment["DJANGO_SETTINGS_MODULE"] == "gccportal.settings.production"
        assert environment["AWS_STORAGE_BUCKET_NAME"]
        store = urlsplit(environment["AWS_S3_ENDPOINT_URL"]).hostname
        assert "healthcheck" in SERVICES[store], store
        assert spec["depends_on"]["minio-setup"]["condition"] == "service_completed_successfully"
        assert "volumes" not in spec, f"{service} mounts local state"
    assert "minio-data:/data" in SERVICES["minio"]["volumes"]


def test_the_image_gets_runtime_packages_only_and_no_local_files():
    dockerfile = (BASE_DIR / "Dockerfile").read_text()
    ignored = (BASE_DIR / ".dockerignore").read_text().split()
    runtime = (BASE_DIR / "requirements" / "lock.txt").read_text().lower()
    dev = (BASE_DIR / "requirements" / "dev.txt").read_text().lower()
    project = tomllib.loads((BASE_DIR / "pyproject.toml").read_text())["project"]
    dev_tools = [
        re.split(r"[=\[]", spec)[0].lower() for spec in project["optional-dependencies"]["dev"]
    ]

    assert "pip install --no-cache-dir -r requirements/lock.txt" in dockerfile
    assert "requirements/dev.txt" not in dockerfile
    for tool in dev_tools:
        assert not re.search(rf"^{re.escape(tool)}==", runtime, re.M), f"{tool} in the image"
        assert re.search(rf"^{re.escape(tool)}==", dev, re.M), f"{tool} missing from dev.txt"
    for local in [".env", ".git", "var", ".venv", "node_modules", "tests", "test-artifacts"]:
        assert local in ignored, local
    assert "USER gccportal" in dockerfile


# -- the same processes, for real -------------------------------------------------------------


def _production_env(own_redis, tmp_path) -> dict:
    environment = SERVICES["web"]["environment"]
    return {
        **environment_without_settings(),
        # What the compose file sets, with this machine's addresses for its services.
        "DJANGO_SETTINGS_MODULE": environment["DJANGO_SETTINGS_MODULE"],
        "DATABASE_URL": database_url(),
        "CELERY_BROKER_URL": f"{own_redis.url}/0",
        "REDIS_URL": f"{own_redis.url}/1",
        "AWS_STORAGE_BUCKET_NAME": environment["AWS_STORAGE_BUCKET_NAME"],
        "BEAT_HEARTBEAT_FILE": str(tmp_path / "beat-heartbeat"),
        "PORT": str(free_port()),
        # What the operator's .env sets.
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "gccportal.example.gov",
        "PORTAL_BASE_URL": "https://gccportal.example.gov",
        # In a container $HOSTNAME is the host name the worker names its node after.
        "HOSTNAME": socket.gethostname(),
        "PYTHONUNBUFFERED": "1",
        # `python`, `gunicorn` and `celery` from this virtualenv, as in the image.
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
    }


def _start(service: str, env: dict, tmp_path: Path) -> subprocess.Popen:
    command = SERVICES[service]["command"]
    if service == "beat":  # the container's own /tmp is this test's folder
        command = [part.replace("=/tmp/", f"={tmp_path}/") for part in command]
    log = (tmp_path / f"{service}.log").open("w")
    return subprocess.Popen(command, cwd=BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT)


def _healthy(service: str, env: dict) -> bool:
    result = subprocess.run(
        healthcheck_command(service),
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        timeout=int(SERVICES[service]["healthcheck"]["timeout"].rstrip("s")) + 5,
        check=False,
    )
    return result.returncode == 0


def _healthz(env: dict) -> tuple[int, str]:
    url = f"http://127.0.0.1:{env['PORT']}/healthz"
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


@pytest.mark.processes
def test_web_worker_and_beat_run_as_composed_and_their_healthchecks_tell_the_truth(
    transactional_db, own_redis, tmp_path
):
    # given: gunicorn, the worker and beat started with the compose file's command lines and
    # production settings, on PostgreSQL and Redis
    env = _production_env(own_redis, tmp_path)
    processes = {service: _start(service, env, tmp_path) for service in APP_SERVICES}

    def logs() -> str:
        return "\n".join(
            f"== {s}\n{(tmp_path / f'{s}.log').read_text()[-3000:]}" for s in APP_SERVICES
        )

    try:
        # then: each one's own healthcheck passes
        for service in APP_SERVICES:
            wait_for(lambda s=service: _healthy(s, env), timeout=60, what=f"{service}\n{logs()}")
        assert all(process.poll() is None for process in processes.values()), logs()
        # and /healthz says what it checked, to a Host no deployment lists
        status, body = _healthz(env)
        assert (status, body) == (
            200,
            '{"status": "ok", "checks": {"database": "ok", "broker": "ok"}}',
        )

        # when: the broker goes away
        own_redis.stop()

        # then: /healthz answers 503 naming it, and the web and worker healthchecks fail
        status, body = _healthz(env)
        assert status == 503
        assert '"database": "ok"' in body
        assert '"broker": "unavailable (' in body
        assert not _healthy("web", env)
        assert not _healthy("worker", env)

        # when: beat stops ticking
        process_stop(processes["beat"])
        last_tick = float(Path(env["BEAT_HEARTBEAT_FILE"]).read_text())
        heartbeat_write(env["BEAT_HEARTBEAT_FILE"], at=last_tick - 600)

        # then: its healthcheck fails too
        assert not _healthy("beat", env)
    finally:
        for process in processes.values():
            process_stop(process)


def test_healthcheck_commands_parse_as_the_container_shell_would():
    # The worker's CMD-SHELL runs in sh with its $HOSTNAME: one node, its own.
    command = healthcheck_command("worker")
    assert command[:2] == ["sh", "-c"]
    assert shlex.split(command[2])[:6] == ["celery", "-A", "gccportal", "inspect", "ping", "-d"]
