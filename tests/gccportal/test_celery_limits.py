"""Celery limits: every task of the portal's apps has time limits and the delivery guard;
the production and embedded workers use the prefork pool with --max-tasks-per-child."""

import shlex
from pathlib import Path

import pytest
import yaml
from django.conf import settings

from gccportal.celery import app as celery_app
from jobs.guard import GuardedTask

BASE_DIR = Path(settings.BASE_DIR)
APPS = ("orders.", "customers.", "partners.", "jobs.", "notifications.")


def _tasks():
    celery_app.loader.import_default_modules()
    return {name: task for name, task in celery_app.tasks.items() if name.startswith(APPS)}


def test_global_time_limits_and_delivery_limit_are_set():
    assert 0 < settings.CELERY_TASK_SOFT_TIME_LIMIT < settings.CELERY_TASK_TIME_LIMIT
    assert celery_app.conf.task_soft_time_limit == settings.CELERY_TASK_SOFT_TIME_LIMIT
    assert celery_app.conf.task_time_limit == settings.CELERY_TASK_TIME_LIMIT
    assert settings.CELERY_TASK_MAX_DELIVERIES == 5


@pytest.mark.parametrize("name", sorted(_tasks()))
def test_every_task_declares_a_soft_limit_below_its_hard_limit(name):
    task = celery_app.tasks[name]

    assert task.soft_time_limit is not None, name
    assert 0 < task.soft_time_limit < task.time_limit, name


def test_the_tasks_of_orders_and_jobs_are_guarded():
    guarded = {name for name, task in _tasks().items() if isinstance(task, GuardedTask)}

    assert {
        "orders.tasks.order_provision_task",
        "orders.tasks.order_provisioning_sweep_task",
        "jobs.tasks.task_delivery_purge_task",
    } <= guarded


def test_a_provisioning_task_is_killed_before_its_line_claims_run_out():
    task = celery_app.tasks["orders.tasks.order_provision_task"]

    assert task.time_limit < settings.ORDERS_LINE_LEASE_SECONDS


def test_the_production_worker_is_prefork_and_replaces_its_children():
    compose = yaml.safe_load((BASE_DIR / "docker-compose.yml").read_text())
    command = compose["services"]["worker"]["command"]

    assert command[:4] == ["celery", "-A", "gccportal", "worker"]
    assert "--max-tasks-per-child=200" in command
    assert not any(arg.startswith("--pool") for arg in command)  # prefork, the default


def test_the_embedded_worker_is_prefork_with_one_child_and_replaces_it():
    script = (BASE_DIR / "bin" / "run-embedded").read_text().replace("\\\n", " ")
    [line] = [line for line in script.splitlines() if "celery -A gccportal worker" in line]
    args = shlex.split(line)

    assert {"--pool=prefork", "--concurrency=1", "--max-tasks-per-child=200"} <= set(args)


def test_a_deploy_lets_running_tasks_finish():
    compose = yaml.safe_load((BASE_DIR / "docker-compose.yml").read_text())
    grace = compose["services"]["worker"]["stop_grace_period"]
    longest = max(task.time_limit for task in _tasks().values())

    assert grace.endswith("s")
    assert int(grace[:-1]) > longest


def test_redis_redelivers_an_unacknowledged_message_only_after_the_longest_task():
    longest = max(task.time_limit for task in _tasks().values())

    assert settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"] > longest


@pytest.mark.parametrize(
    ("setting", "task"),
    [
        ("OUTBOX_SEND_LEASE_SECONDS", "notifications.tasks.outbox_message_send_task"),
        ("ORDERS_LINE_LEASE_SECONDS", "orders.tasks.order_provision_task"),
    ],
)
def test_a_lease_shorter_than_its_task_is_refused_at_start(settings, setting, task):
    from jobs.checks import leases_outlive_their_tasks

    assert leases_outlive_their_tasks() == []

    setattr(settings, setting, celery_app.tasks[task].time_limit)

    [error] = leases_outlive_their_tasks()
    assert error.id == "jobs.E001"
    assert setting in error.msg
