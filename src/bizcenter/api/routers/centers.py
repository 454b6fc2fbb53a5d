"""Business Centers: the one a token is for, and its settings."""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest
from ninja import Router

from bizcenter.api.auth import actor, center, token_of
from bizcenter.api.schemas import (
    ERRORS,
    Schema,
)
from bizcenter.centers.models import BusinessCenter
from bizcenter.centers.services import update_center, visible_centers

router = Router(tags=["Business Centers"])


class CenterOut(Schema):
    id: str
    name: str
    company: str
    timezone: str
    currency: str
    two_factor_policy: str
    allowed_email_domains: list[str]
    allowlist_refuses_phones: bool = False
    created_at: datetime | None = None

    @staticmethod
    def of(c: BusinessCenter) -> CenterOut:
        return CenterOut(id=str(c.pk), name=c.name, company=c.company, timezone=c.timezone,
                         currency=c.currency, two_factor_policy=c.two_factor_policy,
                         allowed_email_domains=list(c.allowed_email_domains or []),
                         allowlist_refuses_phones=c.allowlist_refuses_phones,
                         created_at=getattr(c, "created_at", None))


class CenterPatch(Schema):
    name: str | None = None
    company: str | None = None
    timezone: str | None = None
    currency: str | None = None
    two_factor_policy: str | None = None
    allowed_email_domains: list[str] | None = None
    # With an allowlist, also refuse phone invitations (phones have no domain to check).
    allowlist_refuses_phones: bool | None = None


@router.get("", response={200: list[CenterOut], **ERRORS}, summary="The token's Business Center")
def list_centers(request: HttpRequest) -> list[CenterOut]:
    """A token is for one Business Center: this lists it, if its owner still belongs.
    (The command line on the server, in-process, lists every one its person sees.)"""
    token = token_of(request)
    if token is None:
        return [CenterOut.of(c) for c in visible_centers(actor(request))]
    return [CenterOut.of(center(request, token.center_id))]


@router.get("/{center_id}", response={200: CenterOut, **ERRORS})
def get_center(request: HttpRequest, center_id: int) -> CenterOut:
    return CenterOut.of(center(request, center_id))


@router.patch("/{center_id}", response={200: CenterOut, **ERRORS})
def patch_center(request: HttpRequest, center_id: int, payload: CenterPatch) -> CenterOut:
    """Only the fields sent change. Admins only."""
    done = update_center(actor(request), center(request, center_id),
                         **payload.model_dump(exclude_unset=True))
    return CenterOut.of(done)
