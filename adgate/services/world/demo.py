"""The demo world that ``adgate serve --demo`` starts with.

Seeded once: a restart finds it (by the demo admin's e-mail) and reports it again instead of
making a second one. Passwords are fixed so the printed logins keep working. What later versions
added to the demo (the reviewer, the system user, the Graph explorer's callback for the server's
current address) is added to a world seeded before, so the README's walkthrough works on it too.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from adgate import ids
from adgate import records as r
from adgate.services.world.editor import World

DEMO_ADMIN_EMAIL = "alice@demo.adgate.test"
#: name, e-mail, password, what they are in the demo
DEMO_PEOPLE = (
    ("Alice Admin", DEMO_ADMIN_EMAIL, "alice-demo-password", "administrator of the app and the business"),
    ("Bob Advertiser", "bob@demo.adgate.test", "bob-demo-password", "developer of the app"),
    ("Carol Customer", "carol@demo.adgate.test", "carol-demo-password", "no role on the app"),
)
DEMO_REVIEWER = ("Rita Reviewer", "rita@demo.adgate.test", "rita-demo-password", "reviewer (/console/review)")
DEMO_APP = "Demo Marketing App"
DEMO_REDIRECT = "http://localhost:8000/callback"
DEMO_SITE = "http://localhost:8000/"
DEMO_SYSTEM_USER = "Demo Bot"
#: Listed in this order, so the first of each is Alice's (the walkthrough's AD_ACCOUNT_ID, PAGE_ID).
DEMO_AD_ACCOUNTS = ("Demo Shoes", "Demo Hats", "Carol's Bakery")
DEMO_PAGES = ("Demo Shoes Page", "Carol's Bakery")
#: The console's Graph explorer sends the dialog back here (``adgate/web/console/explorer.py``).
EXPLORER_CALLBACK_PATH = "/console/tools/explorer/callback"


@dataclass(slots=True)
class DemoWorld:
    people: list[dict[str, str]] = field(default_factory=list)
    business: dict[str, str] = field(default_factory=dict)
    ad_accounts: list[dict[str, str]] = field(default_factory=list)
    pages: list[dict[str, str]] = field(default_factory=list)
    system_users: list[dict[str, str]] = field(default_factory=list)
    app: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "people": self.people,
            "business": self.business,
            "ad_accounts": self.ad_accounts,
            "pages": self.pages,
            "system_users": self.system_users,
            "app": self.app,
        }


async def seed_demo(world: World, *, base_url: str | None = None) -> DemoWorld:
    """Create the demo world, or complete and describe the one already there.

    With ``base_url`` (the server's public address), the Graph explorer's callback at that address
    is registered on the demo app next to ``http://localhost:8000/callback``.
    """
    if await describe_demo(world) is None:
        await create_demo(world)
    await _complete(world, base_url)
    described = await describe_demo(world)
    assert described is not None
    return described


async def create_demo(world: World) -> None:
    """The demo world as first seeded (:func:`seed_demo` completes it)."""
    alice, bob, carol = [await world.create_person(n, e, p) for n, e, p, _ in DEMO_PEOPLE]
    business = await world.create_business("Demo Business", admin_id=alice.id)
    await world.assign_role("business", business.id, bob.id, "EMPLOYEE")
    shoes, hats, bakery_name = DEMO_AD_ACCOUNTS
    accounts = [
        await world.create_ad_account(shoes, business_id=business.id),
        await world.create_ad_account(hats, business_id=business.id),
        await world.create_ad_account(bakery_name, currency="EUR", timezone_name="Europe/Paris"),
    ]
    await world.assign_role("ad_account", accounts[0].id, alice.id, "admin")
    await world.assign_role("ad_account", accounts[1].id, alice.id, "admin")
    await world.assign_role("ad_account", accounts[0].id, bob.id, "advertiser")
    await world.assign_role("ad_account", accounts[2].id, carol.id, "admin")
    shop_page, bakery_page = DEMO_PAGES
    page = await world.create_page(shop_page, category="Shopping & Retail", business_id=business.id)
    await world.assign_role("page", page.id, alice.id, "admin")
    bakery = await world.create_page(bakery_page, category="Bakery")
    await world.assign_role("page", bakery.id, carol.id, "admin")
    app, _secret = await world.create_app(
        DEMO_APP,
        site_url=DEMO_SITE,
        redirect_uris=[DEMO_REDIRECT],
        admin_id=alice.id,
        business_id=business.id,
    )
    await world.assign_role("app", app.id, bob.id, "developer")


async def _complete(world: World, base_url: str | None) -> None:
    """Add what a demo seeded by an earlier version lacks; nothing when it is all there."""
    db = world.core.db
    name, email, password, _about = DEMO_REVIEWER
    async with db.transaction() as tx:
        has_reviewer = await tx.people.by_email(email) is not None
    if not has_reviewer:
        await world.create_person(name, email, password, is_reviewer=True)
    demo = await describe_demo(world)
    if demo is None or not demo.app or not demo.business:
        return
    if not demo.system_users:
        async with db.transaction() as tx:
            user = r.SystemUser(
                ids.new_id(), demo.business["id"], DEMO_SYSTEM_USER, "ADMIN", world.core.now()
            )
            await tx.system_users.add(user)
            await tx.nodes.add(user.id, "system_user")
    wanted = [DEMO_REDIRECT]
    if base_url:
        wanted.append(base_url.rstrip("/") + EXPLORER_CALLBACK_PATH)
    registered = list(demo.app["redirect_uris"])
    missing = [uri for uri in wanted if uri not in registered]
    if missing:
        await world.update_app(demo.app["id"], redirect_uris=registered + missing)


async def describe_demo(world: World) -> DemoWorld | None:
    db = world.core.db
    async with db.transaction() as tx:
        alice = await tx.people.by_email(DEMO_ADMIN_EMAIL)
        if alice is None:
            return None
        demo = DemoWorld()
        for name, email, password, about in (*DEMO_PEOPLE, DEMO_REVIEWER):
            person = await tx.people.by_email(email)
            if person is not None:
                demo.people.append(
                    {"id": person.id, "name": name, "email": email, "password": password, "about": about}
                )
        for role in await tx.business_people.for_person(alice.id):
            business = await tx.businesses.get(role.object_id)
            if business is not None:
                demo.business = {"id": business.id, "name": business.name}
                demo.system_users = [
                    {"id": u.id, "name": u.name, "role": u.role}
                    for u in await tx.system_users.for_business(business.id)
                ]
                break
        people_ids = {p["id"] for p in demo.people}
        for account in await tx.ad_accounts.list():
            roles = await tx.ad_account_roles.for_object(account.id)
            if any(role.person_id in people_ids for role in roles):
                demo.ad_accounts.append(
                    {"id": f"act_{account.id}", "account_id": account.id, "name": account.name}
                )
        for page in await tx.pages.list():
            roles = await tx.page_roles.for_object(page.id)
            if any(role.person_id in people_ids for role in roles):
                demo.pages.append({"id": page.id, "name": page.name})
        for role in await tx.app_roles.for_person(alice.id):
            app = await tx.apps.get(role.object_id)
            if app is not None and app.name == DEMO_APP:
                demo.app = {
                    "id": app.id,
                    "secret": world.app_secret(app),
                    "name": app.name,
                    "access_level": app.access_level,
                    "redirect_uri": DEMO_REDIRECT if DEMO_REDIRECT in app.redirect_uris else None,
                    "redirect_uris": list(app.redirect_uris),
                    "site_url": app.site_url,
                }
                break
    demo.ad_accounts.sort(key=lambda a: _rank(DEMO_AD_ACCOUNTS, a["name"]))
    demo.pages.sort(key=lambda p: _rank(DEMO_PAGES, p["name"]))
    return demo


def _rank(names: tuple[str, ...], name: str) -> int:
    return names.index(name) if name in names else len(names)
