"""The one way every destructive action in the web door asks first.

A destructive POST that arrives without ``confirmed=1`` changes nothing: the view
answers :func:`ask`, a page that says exactly what will change, with a Confirm button
that re-posts the same fields plus ``confirmed=1`` and a Cancel link back to where the
person came from (``next``, so filters survive). This works without JavaScript. With
JavaScript, ``static/web/confirm.js`` intercepts forms marked ``data-confirm="…"`` and
asks in a ``<dialog>`` instead, then submits with ``confirmed=1``: the server never
trusts the dialog, it only skips the page when the field is there.

When the action cannot be done at all (revoking the last Admin), the same page says
so and why, with no Confirm button and a way back, instead of a dead-end error.

Usage in a view::

    if not confirmed(request):
        return ask(request, Ask(f"Cancel the invitation to {address}?",
                                "The link in the email stops working.",
                                button="Cancel invitation", back=back))
    ... call the service ...
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.utils.html import format_html, format_html_join
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import SafeString

# Fields never carried over to the Confirm form: Django puts a fresh CSRF token in it,
# and ``confirmed`` is what the form adds.
_NOT_CARRIED = {"csrfmiddlewaretoken", "confirmed"}


@dataclass
class Ask:
    """What a confirmation page says.

    ``question`` names the action and its object ("Cancel the invitation to
    bob@example.com?"); ``consequence`` says what changes ("The link in the email stops
    working."); ``details`` lists further effects; ``button`` is the Confirm button's
    words; ``back`` is where Cancel leads when the request carries no ``next``;
    ``refused`` replaces the Confirm button with the reason it cannot be done.
    """

    question: str
    consequence: str
    button: str
    back: str
    details: list[str] = field(default_factory=list)
    refused: str | None = None
    cancel: str = "Cancel"
    danger: bool = True


def confirmed(request: HttpRequest) -> bool:
    """True once the person said yes: on the confirmation page or in the dialog."""
    return request.method == "POST" and request.POST.get("confirmed") == "1"


def back_to(request: HttpRequest, fallback: str) -> str:
    """Where Cancel (and the action, once done) leads: ``next`` when it is on this site,
    so the filters the person came from survive; otherwise ``fallback``."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return target
    return fallback


def carried(request: HttpRequest) -> list[tuple[str, str]]:
    """The posted fields, in order, to post again with ``confirmed=1``."""
    return [(name, value) for name, values in request.POST.lists()
            if name not in _NOT_CARRIED for value in values]


def ask(request: HttpRequest, question: Ask, *, fields: Iterable[tuple[str, str]] | None = None,
        status: int | None = None, **context: Any) -> HttpResponse:
    """The confirmation page: the question, what changes, Confirm (re-posting the same
    fields to the same address) and Cancel (back where the person came from).

    ``fields`` replaces the posted fields (a page reached by a GET link, like Revoke,
    has none yet). A refusal answers 409 so tests and scripts see nothing happened.
    ``context`` goes to the layout (``center``, ``tab``) so the page keeps its menu.
    """
    hidden = list(fields) if fields is not None else carried(request)
    if question.back and not any(name == "next" for name, _ in hidden):
        hidden.append(("next", question.back))
    back = back_to(request, question.back)
    code = status if status is not None else 409 if question.refused else 200
    return render(request, "web/confirm/confirm.html",
                  {"ask": question, "fields": hidden, "back": back,
                   "action": request.path, **context}, status=code)


def undo_button(request: HttpRequest, text: str, url: str, label: str = "Undo",
                fields: Iterable[tuple[str, str]] = ()) -> SafeString:
    """A success message carrying an Undo button (a small POST form), for actions that
    can be taken back for a short while. The message storage keeps it marked safe."""
    hidden = format_html_join("", '<input type="hidden" name="{}" value="{}">',
                              [("csrfmiddlewaretoken", get_token(request)), *fields])
    return format_html('{} <form method="post" action="{}" class="inline undo">{}'
                       '<button type="submit" class="link">{}</button></form>',
                       text, url, hidden, label)
