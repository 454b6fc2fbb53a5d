"""The asset picker: one searchable way to choose assets (and a role on each) that works
for a Business Center of 10,000 ad accounts, on Add Partners, Edit member, asset groups
and sharing with a partner.

Without JavaScript it is part of the page's form: a search box and a type filter narrow a
page of rows (``PAGE_SIZE``); a Search or page button posts the whole form back, which is
shown again with everything typed kept and nothing saved. The chosen assets are listed
above the results on every page, so they stay chosen across searches. With JavaScript
(static ``web/picker.js``), the same rows come as you type from
``web.picker_views.search_json`` and the
chosen ones become chips; the names posted are the same.

Posted names, as the forms had them before (so the API of the page did not change):
``asset_<id>`` = the role(s) on that asset (an empty value is "not chosen") in the
``roles`` mode; ``assets`` = an id per chosen asset in the ``set`` mode (groups, whose
roles are per type). ``asset_q``, ``asset_type`` and ``picker`` (``search`` or
``page:<n>``) drive the search.

Assets are always shown with their type and id (``asset_label``): two ad accounts may
share a name. The roles offered are only those of the asset's type, and for an asset a
partner shares never above the share (``assets.ceilings``); the form refuses anything
else beside the asset, and an id that is not there or not this person's to give
beside the search box, keeping every other choice.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from django import forms
from django.forms.utils import ErrorDict
from django.http import QueryDict

from bizcenter.assets.ceilings import Ceiling, ceilings
from bizcenter.assets.kinds import RULES, AssetType
from bizcenter.assets.models import Asset
from bizcenter.assets.services import picked_assets, search_assets
from bizcenter.centers.models import BusinessCenter
from bizcenter.core.actor import Actor
from bizcenter.core.errors import InvalidInput
from bizcenter.core.pagination import Page

PAGE_SIZE = 20
PREFIX = "asset_"
# Fields of the picker that are not an asset: the search box and the type filter.
SEARCH_FIELDS = ("asset_q", "asset_type")
TYPE_CHOICES = [("", "Any type"), *((t.value, str(t.label)) for t in AssetType)]

Mode = Literal["roles", "set"]


def type_word(asset_type: str) -> str:
    return str(AssetType(asset_type).label).lower()


def asset_label(asset: Asset) -> str:
    """How a person tells two assets apart: "Brand Co DE · ad account · 71"."""
    return f"{asset.name} · {type_word(asset.type)} · {asset.pk}"


def role_label(role: str) -> str:
    return role.replace("_", " ").title()


def _words(roles: Sequence[str]) -> str:
    names = [role_label(r) for r in roles]
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"


@dataclass(frozen=True)
class Offer:
    """One asset as the picker shows it."""

    asset: Asset
    label: str
    roles: tuple[str, ...]  # what may be given on it here, highest first
    many: bool  # any set of roles (a TikTok account) rather than one
    shared: str  # "shared by Agency as ANALYST", or "" for an asset owned here

    @property
    def id(self) -> int:
        return int(self.asset.pk)

    @property
    def role_options(self) -> list[tuple[str, str]]:
        return [(r, role_label(r)) for r in self.roles]

    @property
    def default_role(self) -> str:
        """The least a new row starts at: the lowest role (one-role types)."""
        return self.roles[-1] if self.roles else ""

    def as_json(self) -> dict[str, Any]:
        return {"id": str(self.asset.pk), "label": self.label, "name": self.asset.name,
                "type": type_word(self.asset.type), "owner": self.asset.center.name,
                "shared": self.shared, "many": self.many, "roles": self.role_options,
                "default": self.default_role}


def offer(asset: Asset, center: BusinessCenter, shares: Mapping[int, Ceiling]) -> Offer:
    rule = RULES[asset.type]
    ceiling = shares.get(asset.pk) if asset.center_id != center.pk else None
    roles = ceiling.allowed if ceiling is not None else rule.roles
    shared = ceiling.label if ceiling is not None else ""
    return Offer(asset, asset_label(asset), tuple(roles), rule.many, shared)


def _page_number(data: Mapping[str, Any] | None) -> int:
    value = str((data or {}).get("picker", ""))
    if value.startswith("page:") and value[5:].isdigit():
        return max(1, min(int(value[5:]), 10_000))
    return 1


def searching(data: Mapping[str, Any] | None) -> bool:
    """Whether the form was posted by the picker's Search or page buttons, to be shown
    again rather than saved."""
    return bool((data or {}).get("picker"))


def posted_ids(data: QueryDict, mode: Mode) -> list[str]:
    """The chosen ids, as posted (not yet checked): ``asset_<id>`` with a value, or
    ``assets``."""
    if mode == "set":
        return [v.strip() for v in data.getlist("assets") if v.strip()]
    return [key[len(PREFIX):] for key, values in data.lists()
            if key.startswith(PREFIX) and key not in SEARCH_FIELDS
            and any(str(v).strip() for v in values)]


class AssetPicker:
    """The picker's state for one form: what is chosen (checked against what this person
    may pick here), what the search found, and what was refused.

    ``owned``: only what this Business Center owns (invitations, groups, shares);
    otherwise also what partners share with it, within each share (a member's edit)."""

    def __init__(self, me: Actor, center: BusinessCenter, data: QueryDict | None, *,
                 owned: bool, mode: Mode = "roles",
                 initial: Mapping[int, Sequence[str] | str] | Iterable[int] = (),
                 label: str = "Assets and their roles (optional)") -> None:
        self.types = TYPE_CHOICES
        self.center, self.owned, self.mode, self.label = center, owned, mode, label
        self.q = str(data.get("asset_q", "")).strip()[:200] if data is not None else ""
        kind = str(data.get("asset_type", "")) if data is not None else ""
        self.type = kind if kind in RULES else ""
        self.bound = data is not None
        if data is not None:
            self.wanted = posted_ids(data, mode)
        else:
            self.wanted = [str(i) for i in initial]
        self.initial: dict[int, Sequence[str] | str] = (
            {int(k): v for k, v in initial.items()} if isinstance(initial, Mapping) else {})
        found = picked_assets(me, center, self.wanted, owned=owned)
        self.results: Page[Asset] = self._search(me, data)
        others = {a.pk for a in [*found.values(), *self.results.items]
                  if a.center_id != center.pk}
        shares = ceilings(me, center, others) if others else {}
        self.chosen = [offer(found[int(i)], center, shares) for i in dict.fromkeys(self.wanted)
                       if i.isdigit() and int(i) in found]
        chosen_ids = {o.id for o in self.chosen}
        self.offers = [offer(a, center, shares) for a in self.results.items
                       if a.pk not in chosen_ids]
        self.hidden_chosen = len(self.results.items) - len(self.offers)
        self.missing = [i for i in dict.fromkeys(self.wanted)
                        if not (i.isdigit() and int(i) in found)]

    def _search(self, me: Actor, data: QueryDict | None) -> Page[Asset]:
        page = _page_number(data)
        try:
            return search_assets(me, self.center, search=self.q, type=self.type or None,
                                 owned=self.owned, page=page, page_size=PAGE_SIZE)
        except InvalidInput:
            return Page(items=[], total=0, page=page, page_size=PAGE_SIZE)

    @property
    def problems(self) -> list[str]:
        """What to say beside the search box about ids that could not be chosen."""
        if not self.missing:
            return []
        whose = "this Business Center's" if self.owned else "yours"
        ids = ", ".join(self.missing)
        return [f"No asset with id {ids} in {self.center.name} (it may have been deleted, or "
                f"is not {whose} to give). It was left out: search for the asset and choose "
                "it again."]

    @property
    def chosen_ids(self) -> list[int]:
        return [o.id for o in self.chosen]

    @property
    def pages(self) -> list[int]:
        return [p for p in (self.results.page - 1, self.results.page + 1)
                if 1 <= p <= self.results.pages]


def role_field(o: Offer) -> forms.Field:
    """The role(s) on one chosen asset: only its type's roles, within any share, with a
    message that names what may be chosen instead of Django's "Select a valid choice"."""
    what = f"a {type_word(o.asset.type)}" if o.asset.type != "ADVERTISER" else "an ad account"
    allowed = (f"{o.shared}: choose {_words(o.roles)}" if o.shared
               else f"choose {_words(o.roles)}")
    message = f"%(value)s is not a role you can give on {what} here; {allowed}."
    if o.many:
        return forms.MultipleChoiceField(
            label=o.label, choices=o.role_options, required=False,
            widget=forms.CheckboxSelectMultiple,
            error_messages={"invalid_choice": message})
    return forms.ChoiceField(label=o.label, choices=[("", "No access"), *o.role_options],
                             required=False, error_messages={"invalid_choice": message})


class AssetRoles:
    """A form with the asset picker in its ``roles`` mode: one ``asset_<id>`` field per
    chosen asset, and the search box (``asset_q``) that the picker's refusals sit beside.
    """

    fields: dict[str, forms.Field]
    cleaned_data: dict[str, Any]
    aliases: dict[str, str] = {"assets": "asset_q"}

    def add_picker(self, picker: AssetPicker | None) -> None:
        self.picker = picker
        self.asset_fields: list[str] = []
        self.shared_fields: set[str] = set()
        self.fields["asset_q"] = forms.CharField(label="Find assets by name or id",
                                                 required=False, max_length=200)
        self.fields["asset_type"] = forms.ChoiceField(label="Type", choices=TYPE_CHOICES,
                                                      required=False)
        if picker is None:
            return
        for o in picker.chosen:
            name = f"{PREFIX}{o.id}"
            self.fields[name] = role_field(o)
            if o.id in picker.initial:
                value = picker.initial[o.id]
                roles = [value] if isinstance(value, str) else list(value)
                self.fields[name].initial = roles if o.many else (roles[0] if roles else "")
            self.asset_fields.append(name)
            if o.shared:
                self.shared_fields.add(name)

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean() or {}  # type: ignore[misc]
        if self.picker is not None:
            for problem in self.picker.problems:
                self.add_error("asset_q", problem)  # type: ignore[attr-defined]
        return data

    def searched(self) -> None:
        """Shown again after a Search or page button: what was typed stays, unjudged."""
        self._errors = ErrorDict()

    def bound_rows(self) -> list[tuple[Offer, Any]]:
        """The chosen assets with their role fields, for the template."""
        if self.picker is None:
            return []
        return [(o, self[f"{PREFIX}{o.id}"]) for o in self.picker.chosen]  # type: ignore[index]

    def _picked(self, names: Iterable[str]) -> dict[int | str, Sequence[str] | str]:
        picked: dict[int | str, Sequence[str] | str] = {}
        for name in names:
            value = self.cleaned_data.get(name)
            if value:
                picked[name.removeprefix(PREFIX)] = value if isinstance(value, list) else [value]
        return picked

    def asset_roles(self) -> dict[int | str, Sequence[str] | str]:
        """The roles picked on assets this Business Center owns."""
        return self._picked(n for n in self.asset_fields if n not in self.shared_fields)

    def shared_roles(self) -> dict[int | str, Sequence[str] | str]:
        """The roles picked on assets partners share with it."""
        return self._picked(n for n in self.asset_fields if n in self.shared_fields)
