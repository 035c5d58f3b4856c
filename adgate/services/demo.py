"""The demo world that ``adgate serve --demo`` starts with.

Seeded once: a restart finds it (by the demo admin's e-mail) and reports it again instead of
making a second one. Passwords are fixed so the printed logins keep working.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from adgate.services.world import World

DEMO_ADMIN_EMAIL = "alice@demo.adgate.test"
DEMO_PEOPLE = (
    ("Alice Admin", DEMO_ADMIN_EMAIL, "alice-demo-password"),
    ("Bob Advertiser", "bob@demo.adgate.test", "bob-demo-password"),
    ("Carol Customer", "carol@demo.adgate.test", "carol-demo-password"),
)
DEMO_APP = "Demo Marketing App"
DEMO_REDIRECT = "http://localhost:8000/callback"
DEMO_SITE = "http://localhost:8000/"


@dataclass(slots=True)
class DemoWorld:
    people: list[dict[str, str]] = field(default_factory=list)
    business: dict[str, str] = field(default_factory=dict)
    ad_accounts: list[dict[str, str]] = field(default_factory=list)
    pages: list[dict[str, str]] = field(default_factory=list)
    app: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "people": self.people,
            "business": self.business,
            "ad_accounts": self.ad_accounts,
            "pages": self.pages,
            "app": self.app,
        }


async def seed_demo(world: World) -> DemoWorld:
    """Create the demo world, or describe the one already there."""
    existing = await describe_demo(world)
    if existing is not None:
        return existing
    alice, bob, carol = [await world.create_person(n, e, p) for n, e, p in DEMO_PEOPLE]
    business = await world.create_business("Demo Business", admin_id=alice.id)
    await world.assign_role("business", business.id, bob.id, "EMPLOYEE")
    accounts = [
        await world.create_ad_account("Demo Shoes", business_id=business.id),
        await world.create_ad_account("Demo Hats", business_id=business.id),
        await world.create_ad_account("Carol's Bakery", currency="EUR", timezone_name="Europe/Paris"),
    ]
    await world.assign_role("ad_account", accounts[0].id, alice.id, "admin")
    await world.assign_role("ad_account", accounts[1].id, alice.id, "admin")
    await world.assign_role("ad_account", accounts[0].id, bob.id, "advertiser")
    await world.assign_role("ad_account", accounts[2].id, carol.id, "admin")
    page = await world.create_page("Demo Shoes Page", category="Shopping & Retail", business_id=business.id)
    await world.assign_role("page", page.id, alice.id, "admin")
    bakery = await world.create_page("Carol's Bakery", category="Bakery")
    await world.assign_role("page", bakery.id, carol.id, "admin")
    app, _secret = await world.create_app(
        DEMO_APP,
        site_url=DEMO_SITE,
        redirect_uris=[DEMO_REDIRECT],
        admin_id=alice.id,
        business_id=business.id,
    )
    await world.assign_role("app", app.id, bob.id, "developer")
    described = await describe_demo(world)
    assert described is not None
    return described


async def describe_demo(world: World) -> DemoWorld | None:
    db = world.core.db
    async with db.transaction() as tx:
        alice = await tx.people.by_email(DEMO_ADMIN_EMAIL)
        if alice is None:
            return None
        demo = DemoWorld()
        for name, email, password in DEMO_PEOPLE:
            person = await tx.people.by_email(email)
            if person is not None:
                demo.people.append({"id": person.id, "name": name, "email": email, "password": password})
        for role in await tx.business_people.for_person(alice.id):
            business = await tx.businesses.get(role.object_id)
            if business is not None:
                demo.business = {"id": business.id, "name": business.name}
                break
        people_ids = {p["id"] for p in demo.people}
        for account in await tx.ad_accounts.list():
            roles = await tx.ad_account_roles.for_object(account.id)
            if any(r.person_id in people_ids for r in roles):
                demo.ad_accounts.append(
                    {"id": f"act_{account.id}", "account_id": account.id, "name": account.name}
                )
        for page in await tx.pages.list():
            roles = await tx.page_roles.for_object(page.id)
            if any(r.person_id in people_ids for r in roles):
                demo.pages.append({"id": page.id, "name": page.name})
        for role in await tx.app_roles.for_person(alice.id):
            app = await tx.apps.get(role.object_id)
            if app is not None and app.name == DEMO_APP:
                demo.app = {
                    "id": app.id,
                    "secret": world.app_secret(app),
                    "name": app.name,
                    "access_level": app.access_level,
                    "redirect_uri": app.redirect_uris[0] if app.redirect_uris else None,
                    "site_url": app.site_url,
                }
                break
    return demo
