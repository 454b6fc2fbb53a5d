"""What each kind of outbox message says, registered by the app that sends it.

Rendering happens at delivery time so the outbox never holds a secret such as
an invitation link; a renderer returns None when the message is no longer
worth sending.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str = ""


Renderer = Callable[[dict[str, Any]], Rendered | None]
RENDERERS: dict[str, Renderer] = {}


def register(kind: str) -> Callable[[Renderer], Renderer]:
    def decorate(func: Renderer) -> Renderer:
        RENDERERS[kind] = func
        return func

    return decorate
