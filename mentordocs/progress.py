"""Progress reporting without printing: the core calls a ``Progress`` callback, the CLI draws it."""

from __future__ import annotations

from typing import Protocol


class Progress(Protocol):
    """Called by long-running core functions. ``total`` is known up front; ``advance`` by steps."""

    def start(self, total: int, label: str) -> None: ...

    def advance(self, steps: int = 1) -> None: ...

    def finish(self) -> None: ...


class NoProgress:
    "A Progress that does nothing (the default for library calls)."

    def start(self, total: int, label: str) -> None:
        pass

    def advance(self, steps: int = 1) -> None:
        pass

    def finish(self) -> None:
        pass
