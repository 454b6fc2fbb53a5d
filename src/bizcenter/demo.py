"""A demo Business Center to explore, created by ``bizcenter serve --demo``.

Built through the same services as everything else, so the demo's activity
log reads like a real one. Safe to run again: it does nothing the second time.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from bizcenter.accounts.models import User
from bizcenter.accounts.services import create_user
from bizcenter.assets.services import create_asset
from bizcenter.centers.models import BusinessCenter
from bizcenter.centers.services import create_center
from bizcenter.core.actor import Actor
from bizcenter.invitations.services import Grant, accept, invite

OWNER_EMAIL = "admin@demo-brand.example"
PASSWORD = "demo-passphrase-2026"  # noqa: S105  (printed for the person trying the demo)
CENTER_NAME = "Demo Brand"
AGENCY_EMAIL = "nico@northwind.example"

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
    owner = existing or create_user(system, email=OWNER_EMAIL, password=PASSWORD,
                                    name="Avery Admin")
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
        person = User.objects.filter(email=email).first() or create_user(
            system, email=email, password=PASSWORD, name=name)
        [result] = invite(admin, center, [email], grant)
        assert result.link is not None
        accept(Actor(person, via="demo"), result.link.rstrip("/").rsplit("/", 1)[-1])
    for address, grant in PENDING:
        invite(admin, center, [address], grant)
    _groups_and_partners(admin, center, system)
    from bizcenter.billing.demo_data import seed_billing, seed_payments

    seed_payments(admin, center)
    _campaigns(admin, center)  # and their metrics, which are also the billing's spend
    seed_billing(admin, center)
    return Demo(center, created=True)


def _groups_and_partners(admin: Actor, center: BusinessCenter, system: Actor) -> None:
    """Enough around the members for every page of the web app to have something to show:
    an asset group, a partner agency's Business Center with a shared ad account, and one
    member idle long enough for the access review to flag."""
    from datetime import timedelta

    from django.utils import timezone

    from bizcenter.assets import groups, partners
    from bizcenter.assets.models import Asset
    from bizcenter.centers.models import Membership

    owned = {a.name: a for a in Asset.objects.filter(center=center)}
    pixel = create_asset(admin, center, type="PIXEL", name="Website pixel")
    team = groups.create_group(admin, center, "Agency team",
                               [owned["@demobrand"].pk, owned["Spring catalog"].pk, pixel.pk])
    maria = Membership.objects.get(center=center, user__email=MEMBERS[0][0])
    groups.set_member(admin, center, team.pk, maria.pk,
                      {"TT_ACCOUNT": ["POST"], "CATALOG": ["AD_PROMOTE"], "PIXEL": ["ACCESS"]})
    agency_owner = User.objects.filter(email=AGENCY_EMAIL).first() or create_user(
        system, email=AGENCY_EMAIL, password=PASSWORD, name="Nico (Northwind)")
    agency = create_center(Actor(agency_owner, via="demo"), name="Northwind Agency",
                           company="Northwind Ltd", timezone_name="Europe/London", currency="GBP")
    asked = partners.request_partner(admin, center, agency.public_id,
                                     message="Northwind runs our UK campaigns.")
    partners.accept(Actor(agency_owner, via="demo"), agency, asked.pk)
    partners.share(admin, center, agency.public_id, owned["Demo Brand UK"].pk, ["OPERATOR"])
    # Telemetry, not access: written directly, as the access engine does on each request.
    Membership.objects.filter(center=center, user__email=MEMBERS[3][0]).update(
        last_active_at=timezone.now() - timedelta(days=120),
        joined_at=timezone.now() - timedelta(days=200))


DEMO_CAMPAIGNS = [
    # name, objective, daily budget
    ("Spring sale", "TRAFFIC", "150.00"),
    ("Brand awareness UK", "REACH", "400.00"),
    ("Newsletter sign-ups", "LEAD_GENERATION", "80.00"),
    ("App launch", "APP_PROMOTION", "250.00"),
    ("Product video", "VIDEO_VIEWS", "120.00"),
]


def _campaigns(admin: Actor, center: BusinessCenter) -> None:
    """Campaigns in the main ad account, one change waiting for approval (Maria, a Standard
    OPERATOR, proposes a bigger budget), and one that was approved earlier."""
    from bizcenter.assets.models import Asset
    from bizcenter.campaigns import services as campaigns

    main = Asset.objects.get(center=center, name="Demo Brand UK")
    made = []
    for name, objective, budget in DEMO_CAMPAIGNS:
        campaign = campaigns.create_campaign(admin, center, main.pk, name=name,
                                             objective=objective,
                                             budget_mode="BUDGET_MODE_DAY",
                                             budget=budget).campaign
        assert campaign is not None  # an Admin's campaign is created at once
        made.append(campaign)
    maria = Actor(User.objects.get(email=MEMBERS[0][0]), via="demo")
    earlier = campaigns.set_status(maria, center, made[4].pk, "DISABLE").request
    assert earlier is not None
    campaigns.decide(admin, center, earlier.pk, approve=True, comment="Paused until June.")
    campaigns.update_campaign(maria, center, made[0].pk, budget="220.00")
    from bizcenter.reporting.demo_data import seed_metrics

    seed_metrics(center, days=90)  # 90 days of plausible numbers for the report pages
