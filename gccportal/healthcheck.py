"""Container healthchecks: `python -m gccportal.healthcheck web|beat` exits 0 only if healthy.

- `web`: GET http://127.0.0.1:$PORT/healthz must answer 200 (the database and the broker
  answer); any other status, a refused connection or a time-out fails.
- `beat`: the heartbeat beat writes on every tick ($BEAT_HEARTBEAT_FILE) must be recent.

No Django set-up: it runs every few seconds in each container and must stay cheap.
(The worker's healthcheck is Celery's own `celery inspect ping` to its node.)
"""

import os
import sys
import time
import urllib.error
import urllib.request

WEB_TIMEOUT_SECONDS = 5
# beat ticks at least every CELERY_BEAT_MAX_LOOP_INTERVAL (30 s): allow a few missed ticks.
BEAT_MAX_AGE_SECONDS = int(os.environ.get("BEAT_HEARTBEAT_MAX_AGE", "120"))


def web() -> str | None:
    url = f"http://127.0.0.1:{os.environ.get('PORT', '8000')}/healthz"
    try:
        with urllib.request.urlopen(url, timeout=WEB_TIMEOUT_SECONDS) as response:
            if response.status == 200:
                return None
            return f"{url} answered {response.status}"
    except urllib.error.HTTPError as exc:
        return f"{url} answered {exc.code}: {exc.read(500).decode(errors='replace')}"
    except OSError as exc:
        return f"{url} did not answer: {exc}"


def beat_heartbeat_path() -> str:
    # The same default as settings.BEAT_HEARTBEAT_FILE, without loading Django (an empty
    # variable counts as unset, as in gccportal/env.py).
    var_dir = os.environ.get("GCCPORTAL_VAR_DIR") or "var"
    return os.environ.get("BEAT_HEARTBEAT_FILE") or os.path.join(var_dir, "beat-heartbeat")


def beat() -> str | None:
    path = beat_heartbeat_path()
    try:
        # The time beat wrote, by beat's own clock (not the file's mtime, the kernel's).
        with open(path) as heartbeat:
            age = time.time() - float(heartbeat.read())
    except (OSError, ValueError) as exc:
        return f"no beat heartbeat at {path}: {exc}"
    if age > BEAT_MAX_AGE_SECONDS:
        return f"beat heartbeat {path} is {age:.0f}s old (more than {BEAT_MAX_AGE_SECONDS}s)"
    return None


def main(argv: list[str]) -> int:
    checks = {"web": web, "beat": beat}
    if len(argv) != 1 or argv[0] not in checks:
        print(f"usage: python -m gccportal.healthcheck {'|'.join(checks)}", file=sys.stderr)
        return 2
    problem = checks[argv[0]]()
    if problem:
        print(problem, file=sys.stderr)
        return 1
    print("healthy")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
