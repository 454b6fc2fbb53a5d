"""Partner Business Centers: share chosen assets with another Business Center.

The owner's Admins add a partner by its id and share assets at a role; the
partner's Admins assign those assets to their own members, never above that
role. The owner can raise or lower a shared role in place: the engine caps
every partner member by the shared role when it compiles their access, so a
lower role applies to all of them at once. Unsharing, or removing the partner,
also deletes the partner's own assignments of those assets. Every change bumps
the access version of both Business Centers.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.db.models import QuerySet

from bizcenter.access.actions import Action
from bizcenter.access.engine import require
from bizcenter.assets.kinds import clean_roles
from bizcenter.assets.models import AssetGrant, PartnerShare, Partnership
from bizcenter.assets.services import _asset, _category
from bizcenter.audit.models import Category
from bizcenter.audit.services import record
from bizcenter.centers import seats
from bizcenter.centers.models import BusinessCenter
from bizcenter.centers.services import bump_access_version
from bizcenter.core.actor import Actor
from bizcenter.core.errors import Conflict, InvalidInput, NotFound


def _partnership(center: BusinessCenter, partner_id: int | str) -> Partnership:
    try:
        pk = int(partner_id)
    except (TypeError, ValueError) as exc:
        raise NotFound(f"'{partner_id}' is not a Business Center id.") from exc
    if abs(pk) >= 2**63:  # past any id; SQLite cannot even compare it (OverflowError)
        raise NotFound(f"'{partner_id}' is not a Business Center id.")
    found = (Partnership.objects.select_related("partner")
             .filter(owner=center, partner_id=pk).first())
    if found is None:
        raise NotFound(f"Business Center {pk} is not a partner of {center.name}. Add it as a "
                       "partner first.")
    return found


def _bump_both(center: BusinessCenter, partner: BusinessCenter) -> None:
    bump_access_version(center)
    bump_access_version(partner)


def add_partner(actor: Actor, center: BusinessCenter, partner_id: int | str) -> Partnership:
    with transaction.atomic():
        center = seats.lock(center.pk)
        require(actor, Action.ASSET_MANAGE, center)
        try:
            pk = int(partner_id)
        except (TypeError, ValueError) as exc:
            raise InvalidInput(f"'{partner_id}' is not a Business Center id; ask the partner "
                               "for the number shown in their settings.",
                               fields={"partner_id": "number"}) from exc
        if pk == center.pk:
            raise InvalidInput("A Business Center cannot be its own partner.",
                               fields={"partner_id": "another Business Center"})
        partner = BusinessCenter.objects.filter(pk=pk).first()
        if partner is None:
            raise NotFound(f"No Business Center with id {pk}. Check the id with the partner.")
        if Partnership.objects.filter(owner=center, partner=partner).exists():
            raise Conflict(f"{partner.name} is already a partner of {center.name}.",
                           code="already_partner")
        link = Partnership.objects.create(owner=center, partner=partner)
        record(actor, center=center, category=Category.BUSINESS, action="partner.added",
               target=partner, after={"partner_id": partner.pk, "name": partner.name})
        _bump_both(center, partner)
    return link


def share(actor: Actor, center: BusinessCenter, partner_id: int | str,
          asset_id: int | str, roles: Iterable[str] | str | None = None) -> PartnerShare:
    """Share an asset with a partner, or raise or lower the role it is shared at."""
    with transaction.atomic():
        center = seats.lock(center.pk)
        require(actor, Action.ASSET_MANAGE, center)
        link = _partnership(center, partner_id)
        asset = _asset(center, asset_id)
        cleaned = clean_roles(asset.type, roles)
        current = PartnerShare.objects.filter(partnership=link, asset=asset).first()
        before = {"roles": current.roles} if current else None
        if current is None:
            current = PartnerShare(partnership=link, asset=asset)
        current.roles = cleaned
        current.save()
        record(actor, center=center, category=_category(asset), action="asset.shared",
               target=asset, before=before,
               after={"partner": link.partner.name, "roles": cleaned})
        _bump_both(center, link.partner)
    return current


def _drop_partner_grants(partner: BusinessCenter, asset_ids: Iterable[int]) -> int:
    removed, _ = AssetGrant.objects.filter(membership__center=partner,
                                           asset_id__in=list(asset_ids)).delete()
    return removed


def unshare(actor: Actor, center: BusinessCenter, partner_id: int | str,
            asset_id: int | str) -> None:
    with transaction.atomic():
        center = seats.lock(center.pk)
        require(actor, Action.ASSET_MANAGE, center)
        link = _partnership(center, partner_id)
        asset = _asset(center, asset_id)
        deleted, _ = PartnerShare.objects.filter(partnership=link, asset=asset).delete()
        if not deleted:
            raise NotFound(f"{asset} is not shared with {link.partner.name}.")
        dropped = _drop_partner_grants(link.partner, [asset.pk])
        record(actor, center=center, category=_category(asset), action="asset.unshared",
               target=asset, before={"partner": link.partner.name,
                                     "partner_assignments": dropped})
        _bump_both(center, link.partner)


def remove_partner(actor: Actor, center: BusinessCenter, partner_id: int | str) -> None:
    with transaction.atomic():
        center = seats.lock(center.pk)
        require(actor, Action.ASSET_MANAGE, center)
        link = _partnership(center, partner_id)
        shared = list(link.shares.values_list("asset_id", flat=True))
        dropped = _drop_partner_grants(link.partner, shared)
        record(actor, center=center, category=Category.BUSINESS, action="partner.removed",
               target=link.partner, before={"shared_assets": shared,
                                            "partner_assignments": dropped})
        partner = link.partner
        link.delete()
        _bump_both(center, partner)


def partners_of(actor: Actor, center: BusinessCenter) -> QuerySet[Partnership]:
    require(actor, Action.ASSET_MANAGE, center)
    return (Partnership.objects.filter(owner=center).select_related("partner")
            .prefetch_related("shares__asset").order_by("partner__name"))


def shared_with(actor: Actor, center: BusinessCenter) -> QuerySet[PartnerShare]:
    """Assets other Business Centers share with this one ("owned by partner")."""
    require(actor, Action.ASSET_MANAGE, center)
    return (PartnerShare.objects.filter(partnership__partner=center)
            .select_related("asset", "partnership__owner").order_by("asset__name"))
