"""`PORT=... make run`: the embedded default served on another port links to that port.

Runs what `make run` runs after installing (migrate, demo data, bin/run-embedded) in a
folder of the test's own, on a free port, and reads the personalized link off the page.
"""

import http.cookiejar
import os
import re
import signal
import subprocess
import sys
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings

from tests.helpers import environment_without_settings, free_port, wait_for

BASE_DIR = Path(settings.BASE_DIR)
DEMO_PASSWORD = "gcc-demo-2026!"  # printed by `make run`, in the README


def embedded_env(var_dir: Path, port: int) -> dict:
    return {
        **environment_without_settings(),
        "DJANGO_SETTINGS_MODULE": "gccportal.settings.local",
        "GCCPORTAL_VAR_DIR": str(var_dir),
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "PY": sys.executable,
    }


class Browser:
    """Just enough of a browser: cookies, CSRF tokens from forms, redirects followed."""

    def __init__(self, base_url: str):
        self.base_url = base_url
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def get(self, path: str) -> str:
        with self.opener.open(self.base_url + path, timeout=20) as response:
            return response.read().decode()

    def post(self, path: str, data: dict, *, form_page: str) -> str:
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form_page).group(1)
        request = urllib.request.Request(  # noqa: S310 (loopback)
            self.base_url + path,
            data=urllib.parse.urlencode({**data, "csrfmiddlewaretoken": token}).encode(),
            headers={"Referer": self.base_url + path},
        )
        with self.opener.open(request, timeout=20) as response:
            return response.read().decode()


@pytest.mark.processes
def test_make_run_on_another_port_links_to_that_port(tmp_path):
    # given: the embedded default set up as `make run` does, to be served on a free port
    port = free_port()
    env = embedded_env(tmp_path / "var", port)
    (tmp_path / "var").mkdir()
    for command in (["migrate", "--noinput"], ["demo_data"]):
        subprocess.run(
            [sys.executable, "manage.py", *command],
            cwd=BASE_DIR,
            env=env,
            check=True,
            capture_output=True,
            timeout=300,
        )
    output = tmp_path / "run.out"

    # when: bin/run-embedded starts web, worker and beat with PORT set
    with output.open("w") as out:
        process = subprocess.Popen(
            ["bin/run-embedded"],
            cwd=BASE_DIR,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: stopped whole below
        )
    base_url = f"http://127.0.0.1:{port}"
    try:
        wait_for(
            lambda: "demo sign-ins" in output.read_text().lower() or process.poll(),
            timeout=60,
            what=f"bin/run-embedded:\n{output.read_text()}",
        )
        browser = Browser(base_url)
        wait_for(lambda: _answers(browser), timeout=60, what="the web server")

        # and a Sales agent of Northwind asks for a reseller-relationship link
        login = browser.get("/accounts/login/")
        dashboard = browser.post(
            "/accounts/login/",
            {"username": "sales@northwind.example", "password": DEMO_PASSWORD},
            form_page=login,
        )
        customers = browser.get("/customers/")
        draft = browser.post("/customers/relationship-requests/new/", {}, form_page=customers)

        # then: the printed address and the personalized link are on that port
        assert f"GCC Portal is running:   {base_url}/" in output.read_text()
        assert "Sign out" in dashboard
        links = re.findall(r"https?://[\w.\-]+:\d+/reseller-relationship/[^\s<\"]+", draft)
        assert links, draft
        assert {link.split("/reseller-relationship/")[0] for link in links} == {base_url}
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)


def _answers(browser: Browser) -> bool:
    try:
        return '"status": "ok"' in browser.get("/healthz")
    except OSError:
        return False
