"""The one place settings read the environment (twelve-factor)."""

import os
from collections.abc import Iterator, MutableMapping
from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent


class NonEmptyEnviron(MutableMapping):
    """`os.environ` in which a variable set to the empty string counts as unset.

    `DATABASE_URL=` (common in compose files and CI templates) then means "use the default",
    and a required variable left empty fails naming the variable, instead of crashing later
    with `KeyError: 'ENGINE'` or running with an empty secret.
    """

    def __getitem__(self, key: str) -> str:
        value = os.environ[key]
        if value == "":
            raise KeyError(key)
        return value

    def __setitem__(self, key: str, value: str) -> None:
        os.environ[key] = value

    def __delitem__(self, key: str) -> None:
        del os.environ[key]

    def __iter__(self) -> Iterator[str]:
        return (key for key, value in os.environ.items() if value != "")

    def __len__(self) -> int:
        return sum(1 for _ in self)


class Env(environ.Env):
    ENVIRON = NonEmptyEnviron()


env = Env()
# A local .env is a convenience for development; production sets real variables.
Env.read_env(BASE_DIR / ".env", overwrite=False)
