"""Named benchmark cases.

A case is a function taking the run's Context and doing one unit of work (one
page request, one report build). Register it with `@register("name")`; page
cases are one line with `page(name, path)`. A case raises Skip (with a reason) when
what it measures does not exist yet, and the run prints the reason and carries on.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field


class Skip(Exception):
    """This case cannot run here; the message says why."""


@dataclass
class Context:
    """What a case may use: a signed-in test client and a few handy records."""

    client: object
    plan: object
    action: object
    partner: object
    extra: dict = field(default_factory=dict)
    # {case name: {field: value}}: figures other than times (e.g. peak memory) that a
    # case measures; bench.run adds them to the case's row of results.json.
    figures: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Case:
    name: str
    run: Callable[[Context], None]
    runs: int | None = None  # None: the run's --runs
    before_each: Callable[[Context], None] | None = None  # untimed, e.g. clear a cache
    baseline: bool = False


CASES: dict[str, Case] = {}


def register(name: str, *, runs: int | None = None, before_each=None, baseline: bool = False):
    def decorator(func: Callable[[Context], None]) -> Callable[[Context], None]:
        CASES[name] = Case(name, func, runs=runs, before_each=before_each, baseline=baseline)
        return func

    return decorator


def page(name: str, path: Callable[[Context], str] | str, **options) -> None:
    """A case that GETs a page and expects 200 (a 404 skips the case)."""

    def run(ctx: Context) -> None:
        url = path(ctx) if callable(path) else path
        response = ctx.client.get(url)
        if response.status_code == 404:
            raise Skip(f"{url} answers 404: the page does not exist yet")
        if response.status_code != 200:
            raise RuntimeError(f"{url} answered {response.status_code}")

    register(name, **options)(run)
