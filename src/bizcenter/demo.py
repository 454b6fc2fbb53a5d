"""A demo Business Center to explore, created by ``bizcenter serve --demo``.

Built through the same services as everything else, so the demo's activity
log reads like a real one. Safe to run again: it does nothing the second time.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from bizcenter.accounts.models import User
from bizcenter.accounts.services import sign_up
from bizcenter.assets.services import create_asset
from bizcenter.centers.models import BusinessCenter
from bizcenter.centers.services import create_center
from bizcenter.core.actor import Actor
from bizcenter.invitations.services import Grant, accept, invite

OWNER_EMAIL = "admin@demo-brand.example"
PASSWORD = "demo-passphrase-2026"  # noqa: S105  (printed for the person trying the demo)
CENTER_NAME = "Demo Brand"

MEMBERS = [
    # email, name, access
    ("maria@agency.example", "Maria (Agency)",
     Grant(kind="agency", modules=("ANALYTICS", "CAMPAIGNS", "ASSETS"))),
    ("sam@demo-brand.example", "Sam (Employee)",
     Grant(kind="employee", modules=("ANALYTICS", "CAMPAIGNS"), finance_role="ANALYST")),
    ("lee@creator.example", "Lee (Influencer)", Grant(kind="influencer", modules=("ANALYTICS",))),
    ("chris@client.example", "Chris (Client)", Grant(kind="client", modules=("ANALYTICS",))),
    ("finance@demo-brand.example", "Fran (Finance)",
     Grant(kind="employee", modules=("BILLING",), finance_role="MANAGER")),
]
PENDING = [
    ("new.partner@agency.example", Grant(kind="agency", modules=("CAMPAIGNS",))),
    ("+14155550123", Grant(kind="influencer", modules=("ANALYTICS",))),
    ("co-admin@demo-brand.example", Grant(role="ADMIN", kind="employee")),
]


def main_account_id() -> int:
    from bizcenter.assets.models import Asset

    found = Asset.objects.filter(name="Demo Brand UK").values_list("pk", flat=True).first()
    return found or 0


@dataclass
class Demo:
    center: BusinessCenter
    created: bool

    def instructions(self, base_url: str) -> str:
        state = "Created" if self.created else "Found"
        return (
            f"{state} demo Business Center '{self.center.name}' (id {self.center.pk}).\n"
            f"Log in at {base_url}/login/ as {OWNER_EMAIL} with password {PASSWORD}\n"
            f"(members, e.g. {MEMBERS[0][0]}, use the same password).\n"
            f"From a shell: bizcenter members list {self.center.pk} --as {OWNER_EMAIL}\n"
            f"  and: bizcenter why {MEMBERS[0][0]} campaign.edit asset:{main_account_id()}"
        )


def seed() -> Demo:
    existing = User.objects.filter(email=OWNER_EMAIL).first()
    if existing is not None:
        center = BusinessCenter.objects.filter(memberships__user=existing,
                                               name=CENTER_NAME).first()
        if center is not None:
            return Demo(center, created=False)
    system = Actor.system("demo")
    owner = existing or sign_up(system, email=OWNER_EMAIL, password=PASSWORD, name="Avery Admin")
    admin = Actor(owner, via="demo")
    center = create_center(admin, name=CENTER_NAME, company="Demo Brand Ltd",
                           timezone_name="Europe/London", currency="GBP")
    main = create_asset(admin, center, type="ADVERTISER", name="Demo Brand UK")
    create_asset(admin, center, type="ADVERTISER", name="Demo Brand (old)", status="DISABLED")
    create_asset(admin, center, type="TT_ACCOUNT", name="@demobrand")
    create_asset(admin, center, type="CATALOG", name="Spring catalog")
    MEMBERS[0] = (MEMBERS[0][0], MEMBERS[0][1],
                  replace(MEMBERS[0][2], assets={main.pk: ["OPERATOR"]}))
    for email, name, grant in MEMBERS:
        person = User.objects.filter(email=email).first() or sign_up(
            system, email=email, password=PASSWORD, name=name)
        [result] = invite(admin, center, [email], grant)
        assert result.link is not None
        accept(Actor(person, via="demo"), result.link.rstrip("/").rsplit("/", 1)[-1])
    for address, grant in PENDING:
        invite(admin, center, [address], grant)
    return Demo(center, created=True)
