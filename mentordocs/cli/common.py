"""What every command shares: help settings, error translation, the progress bar, options.

The library never prints; these few pieces are the only place the CLI decides how things look.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any, TypeVar

import click

from mentordocs.errors import MentordocsError

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}

_Command = TypeVar("_Command", bound=Callable[..., object])


class MentordocsGroup(click.Group):
    """A group whose commands turn library errors into ``Error: ...`` and exit 1."""

    # Any: the return type of click.Group.invoke, which this overrides.
    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except MentordocsError as exc:
            raise click.ClickException(str(exc)) from exc


class ClickProgress:
    """Draws core progress as a bar on stderr; silent with --quiet or when stderr is no terminal."""

    def __init__(self, quiet: bool = False, min_items: int = 20):
        self.enabled = not quiet and sys.stderr.isatty()
        self.min_items = min_items
        # Any: click's ProgressBar class lives only in a private module (click._termui_impl).
        self._bar: Any = None

    def start(self, total: int, label: str) -> None:
        if self.enabled and total >= self.min_items:
            self._bar = click.progressbar(length=total, label=label, file=sys.stderr, width=30)
            self._bar.__enter__()

    def advance(self, steps: int = 1) -> None:
        if self._bar is not None:
            self._bar.update(steps)

    def finish(self) -> None:
        if self._bar is not None:
            self._bar.__exit__(None, None, None)
            self._bar = None


def plural(count: int, word: str) -> str:
    """``1 error``, ``3 errors``, ``2,000 forms``."""
    return f"{count:,} {word}{'' if count == 1 else 's'}"


def echo_err(message: str) -> None:
    """A diagnostic line on stderr (results go to stdout)."""
    click.echo(message, err=True)


#: ``-q/--quiet``: no progress bar (the commands that draw one).
quiet_option = click.option("-q", "--quiet", is_flag=True, help="No progress bar.")


def templates_option(help: str) -> Callable[[_Command], _Command]:
    """``--templates DIR``: a folder of the coordinator's own form templates."""
    return click.option(
        "--templates",
        "templates_dir",
        type=click.Path(exists=True, file_okay=False, path_type=str),
        help=help,
    )
