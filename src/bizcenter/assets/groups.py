"""Asset groups: give a set of assets to a set of members in one place.

Each member of a group gets a role per asset type (ad accounts default to
ANALYST); a member keeps a higher role granted directly. Every change bumps
the access version, like any other change to access.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from django.db import IntegrityError, transaction
from django.db.models import QuerySet

from bizcenter.access.actions import Action
from bizcenter.access.engine import require
from bizcenter.assets.kinds import AssetType, clean_roles
from bizcenter.assets.models import Asset, AssetGroup, AssetGroupMember
from bizcenter.assets.services import active_member
from bizcenter.audit.models import Category
from bizcenter.audit.services import record
from bizcenter.centers import seats
from bizcenter.centers.choices import choice
from bizcenter.centers.models import BusinessCenter
from bizcenter.centers.services import bump_access_version
from bizcenter.core.actor import Actor
from bizcenter.core.errors import Conflict, InvalidInput, NotFound
from bizcenter.core.lookup import find

DEFAULT_ROLES: dict[str, list[str]] = {AssetType.ADVERTISER: ["ANALYST"]}


def _name(value: str) -> str:
    text = (value or "").strip()
    if not text or len(text) > 100:
        raise InvalidInput("A group needs a name of 1 to 100 characters.",
                           fields={"name": "1 to 100 characters"})
    return text


def _group(center: BusinessCenter, group_id: int | str) -> AssetGroup:
    return find(AssetGroup.objects.select_for_update().filter(center=center), group_id,
                f"No asset group with id {{id}} in {center.name}.")


def _ids(values: Iterable[int | str], field: str) -> set[int]:
    try:
        return {int(v) for v in values}
    except (TypeError, ValueError) as exc:
        raise InvalidInput("Ids are whole numbers.", fields={field: "numeric ids"}) from exc


def _owned(center: BusinessCenter, asset_ids: Iterable[int | str]) -> list[Asset]:
    ids = _ids(asset_ids, "assets")
    found = list(Asset.objects.filter(center=center, pk__in=ids))
    if missing := sorted(ids - {a.pk for a in found}):
        raise InvalidInput(f"No asset with id {', '.join(map(str, missing))} in "
                           f"{center.name}.", fields={"assets": "unknown asset"})
    return found


def _roles_by_type(roles: Mapping[str, Sequence[str] | str] | None) -> dict[str, list[str]]:
    if not roles:
        return dict(DEFAULT_ROLES)
    return {choice(AssetType, kind, "asset type"): clean_roles(
        choice(AssetType, kind, "asset type"), wanted) for kind, wanted in roles.items()}


def _save(actor: Actor, center: BusinessCenter, group: AssetGroup, action: str,
          **details: object) -> None:
    bump_access_version(center)
    record(actor, center=center, category=Category.ASSET, action=action, target=group,
           after=details or None)


def create_group(actor: Actor, center: BusinessCenter, name: str,
                 asset_ids: Iterable[int | str] = ()) -> AssetGroup:
    with transaction.atomic():
        center = seats.lock(center.pk)
        require(actor, Action.ASSET_MANAGE, center)
        try:
            with transaction.atomic():
                group = AssetGroup.objects.create(center=center, name=_name(name))
        except IntegrityError as exc:
            raise Conflict(f"{center.name} already has a group named '{name.strip()}'.",
                           code="duplicate_name") from exc
        assets = _owned(center, asset_ids)
        group.assets.set(assets)
        _save(actor, center, group, "asset_group.created", name=group.name,
              assets=sorted(a.pk for a in assets))
    return group


def rename_group(actor: Actor, center: BusinessCenter, group_id: int | str,
                 name: str) -> AssetGroup:
    """A new name, unique in the Business Center; access does not change with it."""
    with transaction.atomic():
        center = seats.lock(center.pk)
        require(actor, Action.ASSET_MANAGE, center)
        group = _group(center, group_id)
        before, after = group.name, _name(name)
        if after == before:
            return group
        group.name = after
        try:
            with transaction.atomic():
                group.save(update_fields=["name"])
        except IntegrityError as exc:
            raise Conflict(f"{center.name} already has a group named '{after}'.",
                           code="duplicate_name") from exc
        record(actor, center=center, category=Category.ASSET, action="asset_group.renamed",
               target=group, before={"name": before}, after={"name": after})
    return group


def set_assets(actor: Actor, center: BusinessCenter, group_id: int | str,
               asset_ids: Iterable[int | str]) -> AssetGroup:
    """Replace the group's assets; its members gain and lose them at once."""
    with transaction.atomic():
        center = seats.lock(center.pk)
        require(actor, Action.ASSET_MANAGE, center)
        group = _group(center, group_id)
        assets = _owned(center, asset_ids)
        group.assets.set(assets)
        _save(actor, center, group, "asset_group.assets_set",
              assets=sorted(a.pk for a in assets))
    return group


def set_member(actor: Actor, center: BusinessCenter, group_id: int | str,
               membership_id: int | str,
               roles: Mapping[str, Sequence[str] | str] | None = None) -> AssetGroupMember:
    """Add a member to the group, or change their roles in it."""
    with transaction.atomic():
        center = seats.lock(center.pk)
        require(actor, Action.ASSET_MANAGE, center)
        cleaned = _roles_by_type(roles)
        group = _group(center, group_id)
        membership = active_member(center, membership_id)
        seat, _ = AssetGroupMember.objects.update_or_create(
            group=group, membership=membership, defaults={"roles": cleaned})
        _save(actor, center, group, "asset_group.member_set", member=membership.user.label,
              roles=cleaned)
    return seat


def remove_member(actor: Actor, center: BusinessCenter, group_id: int | str,
                  membership_id: int | str) -> None:
    with transaction.atomic():
        center = seats.lock(center.pk)
        require(actor, Action.ASSET_MANAGE, center)
        group = _group(center, group_id)
        [member_id] = _ids([membership_id], "member")
        removed, _ = AssetGroupMember.objects.filter(group=group,
                                                     membership_id=member_id).delete()
        if not removed:
            raise NotFound(f"Member {membership_id} is not in {group}.")
        _save(actor, center, group, "asset_group.member_removed", member=membership_id)


def delete_group(actor: Actor, center: BusinessCenter, group_id: int | str) -> None:
    with transaction.atomic():
        center = seats.lock(center.pk)
        require(actor, Action.ASSET_MANAGE, center)
        group = _group(center, group_id)
        record(actor, center=center, category=Category.ASSET, action="asset_group.deleted",
               target=group, before={"name": group.name})
        group.delete()
        bump_access_version(center)


def update_group(actor: Actor, center: BusinessCenter, group_id: int | str, *,
                 name: str | None = None, asset_ids: Iterable[int | str] | None = None,
                 members: Mapping[int | str, Mapping[str, Sequence[str] | str] | None]
                 | None = None,
                 remove_members: Iterable[int | str] = ()) -> AssetGroup:
    """Several changes to one group as one: a request that renames it, replaces its
    assets and seats members either does all of it or, on the first refusal, nothing."""
    with transaction.atomic():
        if name is not None:
            rename_group(actor, center, group_id, name)
        if asset_ids is not None:
            set_assets(actor, center, group_id, asset_ids)
        for membership_id, roles in (members or {}).items():
            set_member(actor, center, group_id, membership_id, roles)
        for membership_id in remove_members:
            remove_member(actor, center, group_id, membership_id)
        # Read again: the steps above changed it (the center stays locked by them).
        return _group(center, group_id)


def list_groups(actor: Actor, center: BusinessCenter) -> QuerySet[AssetGroup]:
    require(actor, Action.ASSET_MANAGE, center)
    return AssetGroup.objects.filter(center=center).prefetch_related("assets").order_by("name")
