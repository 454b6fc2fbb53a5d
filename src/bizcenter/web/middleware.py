"""Pages a session may open while its account still has to prove an address."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponseBase
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

# Set at sign-up and at a log-in of an account that has not proven an address: until
# it does, this session reaches the page that asks for the code and little else.
PROVE = "bizcenter.prove_address"
OPEN = ("/account/verify/", "/logout/", "/static/", "/healthz", "/readyz", "/api/", "/open_api/")


class AddressProofGate:
    """Sends a session that must prove an address to the code page.

    Only sessions that began with a sign-up or log-in since proof was required carry
    the mark, so sessions from before it keep working until their next log-in, as
    promised to existing accounts; services refuse what an unproven account may not
    do (accept, create a Business Center, make tokens) whichever session asks."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if not request.path.startswith(OPEN) and PROVE in request.session:
            if request.user.is_authenticated and request.user.needs_proof:  # type: ignore[union-attr]
                return redirect(proof_url(request.get_full_path()))
            request.session.pop(PROVE, None)  # proven now: no page needs to drop the mark
        return self.get_response(request)


def mark(request: HttpRequest) -> None:
    request.session[PROVE] = True


def proof_url(next_url: str) -> str:
    """The code page, then back to where the person was going."""
    query = f"?{urlencode({'next': next_url})}" if next_url and next_url != "/" else ""
    return f"{reverse('web:verify')}{query}"
