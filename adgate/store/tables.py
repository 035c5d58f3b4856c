"""The relational schema (SQLAlchemy Core). Migrations in ``migrations/`` create it.

Times are integer Unix seconds on the server clock; ids are Graph-style numeric strings.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

ID = String(24)
TS = BigInteger

nodes = Table(
    "nodes",
    metadata,
    Column("id", ID, primary_key=True),
    Column("kind", String(32), nullable=False),
)

meta = Table(
    "meta",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)

people = Table(
    "people",
    metadata,
    Column("id", ID, primary_key=True),
    Column("name", String(200), nullable=False),
    Column("email", String(320), nullable=False, unique=True),
    Column("password_hash", String(200), nullable=False),
    Column("password_epoch", Integer, nullable=False, default=0),
    Column("session_epoch", Integer, nullable=False, default=0),
    Column("is_reviewer", Boolean, nullable=False, default=False),
    Column("created_at", TS, nullable=False),
)

businesses = Table(
    "businesses",
    metadata,
    Column("id", ID, primary_key=True),
    Column("name", String(200), nullable=False),
    Column("created_at", TS, nullable=False),
)

ad_accounts = Table(
    "ad_accounts",
    metadata,
    Column("id", ID, primary_key=True),
    Column("name", String(200), nullable=False),
    Column("business_id", ID, ForeignKey("businesses.id", ondelete="SET NULL"), nullable=True),
    Column("currency", String(3), nullable=False),
    Column("timezone_name", String(64), nullable=False),
    Column("account_status", Integer, nullable=False),
    Column("created_at", TS, nullable=False),
)

pages = Table(
    "pages",
    metadata,
    Column("id", ID, primary_key=True),
    Column("name", String(200), nullable=False),
    Column("category", String(100), nullable=False),
    Column("business_id", ID, ForeignKey("businesses.id", ondelete="SET NULL"), nullable=True),
    Column("created_at", TS, nullable=False),
)

apps = Table(
    "apps",
    metadata,
    Column("id", ID, primary_key=True),
    Column("name", String(200), nullable=False),
    Column("secret_encrypted", Text, nullable=False),
    Column("secret_version", Integer, nullable=False, default=0),
    Column("site_url", Text, nullable=True),
    Column("redirect_uris", Text, nullable=False, default="[]"),  # JSON array
    Column("access_level", String(32), nullable=False),
    Column("mode", String(16), nullable=False),
    Column("require_app_secret", Boolean, nullable=False, default=False),
    Column("business_id", ID, ForeignKey("businesses.id", ondelete="SET NULL"), nullable=True),
    Column("created_at", TS, nullable=False),
)


def _role_table(name: str, object_table: str) -> Table:
    return Table(
        name,
        metadata,
        Column("object_id", ID, ForeignKey(f"{object_table}.id", ondelete="CASCADE"), primary_key=True),
        Column("person_id", ID, ForeignKey("people.id", ondelete="CASCADE"), primary_key=True),
        Column("role", String(32), nullable=False),
        Index(f"ix_{name}_person", "person_id"),
    )


business_people = _role_table("business_people", "businesses")
ad_account_roles = _role_table("ad_account_roles", "ad_accounts")
page_roles = _role_table("page_roles", "pages")
app_roles = _role_table("app_roles", "apps")

system_users = Table(
    "system_users",
    metadata,
    Column("id", ID, primary_key=True),
    Column("business_id", ID, ForeignKey("businesses.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("name", String(200), nullable=False),
    Column("role", String(16), nullable=False),
    Column("created_at", TS, nullable=False),
)

system_user_apps = Table(
    "system_user_apps",
    metadata,
    Column("system_user_id", ID, ForeignKey("system_users.id", ondelete="CASCADE"), primary_key=True),
    Column("app_id", ID, ForeignKey("apps.id", ondelete="CASCADE"), primary_key=True),
    Column("installed_at", TS, nullable=False),
)

#: Business Manager: the ad accounts assigned to a system user, with the role its tasks make
#: (``POST /act_<n>/assigned_users``; people's assignments are ``ad_account_roles``).
system_user_ad_accounts = Table(
    "system_user_ad_accounts",
    metadata,
    Column("ad_account_id", ID, ForeignKey("ad_accounts.id", ondelete="CASCADE"), primary_key=True),
    Column("system_user_id", ID, ForeignKey("system_users.id", ondelete="CASCADE"), primary_key=True),
    Column("role", String(32), nullable=False),
    Index("ix_system_user_ad_accounts_system_user", "system_user_id"),
)

tokens = Table(
    "tokens",
    metadata,
    Column("digest", String(64), primary_key=True),
    Column("kind", String(16), nullable=False),
    Column("app_id", ID, ForeignKey("apps.id", ondelete="CASCADE"), nullable=False),
    Column("person_id", ID, ForeignKey("people.id", ondelete="CASCADE"), nullable=True),
    Column("page_id", ID, ForeignKey("pages.id", ondelete="CASCADE"), nullable=True),
    Column("system_user_id", ID, ForeignKey("system_users.id", ondelete="CASCADE"), nullable=True),
    Column("scopes", Text, nullable=False, default=""),  # comma-separated
    Column("issued_at", TS, nullable=False),
    Column("expires_at", TS, nullable=True),
    Column("long_lived", Boolean, nullable=False, default=False),
    Column("password_epoch", Integer, nullable=False, default=0),
    Column("session_epoch", Integer, nullable=False, default=0),
    Column("secret_version", Integer, nullable=False, default=0),
    Column("code_digest", String(64), nullable=True),
    Column("revoked_at", TS, nullable=True),
    Column("revoked_reason", String(32), nullable=True),
    #: System-user tokens made with ``asset``: the ad accounts and Pages they may touch (comma
    #: separated, numeric ids); NULL: every asset the system user reaches.
    Column("assets", Text, nullable=True),
    Index("ix_tokens_person_app", "person_id", "app_id"),
    Index("ix_tokens_code", "code_digest"),
)

#: System-user tokens kept sealed (Fernet, a key of their own from the server secret) so that
#: ``fetch_only`` can hand one out again; found by system user, app, scopes and assets, each list
#: sorted and comma separated (``assets`` NULL: no restriction).
sealed_system_user_tokens = Table(
    "sealed_system_user_tokens",
    metadata,
    Column("digest", String(64), ForeignKey("tokens.digest", ondelete="CASCADE"), primary_key=True),
    Column("system_user_id", ID, ForeignKey("system_users.id", ondelete="CASCADE"), nullable=False),
    Column("app_id", ID, ForeignKey("apps.id", ondelete="CASCADE"), nullable=False),
    Column("scopes", Text, nullable=False),
    Column("assets", Text, nullable=True),
    Column("sealed", Text, nullable=False),
    Column("issued_at", TS, nullable=False),
    Index("ix_sealed_system_user_tokens_user_app", "system_user_id", "app_id"),
)

auth_codes = Table(
    "auth_codes",
    metadata,
    Column("digest", String(64), primary_key=True),
    Column("app_id", ID, ForeignKey("apps.id", ondelete="CASCADE"), nullable=False),
    Column("person_id", ID, ForeignKey("people.id", ondelete="CASCADE"), nullable=False),
    Column("redirect_uri", Text, nullable=False),
    Column("scopes", Text, nullable=False, default=""),
    Column("created_at", TS, nullable=False),
    Column("expires_at", TS, nullable=False),
    Column("used_at", TS, nullable=True),
    Column("code_challenge", String(128), nullable=True),
    Column("code_challenge_method", String(16), nullable=True),
)

grants = Table(
    "grants",
    metadata,
    Column("app_id", ID, ForeignKey("apps.id", ondelete="CASCADE"), primary_key=True),
    Column("person_id", ID, ForeignKey("people.id", ondelete="CASCADE"), primary_key=True),
    Column("permission", String(64), primary_key=True),
    Column("status", String(16), nullable=False),
    Column("updated_at", TS, nullable=False),
)

authorizations = Table(
    "authorizations",
    metadata,
    Column("app_id", ID, ForeignKey("apps.id", ondelete="CASCADE"), primary_key=True),
    Column("person_id", ID, ForeignKey("people.id", ondelete="CASCADE"), primary_key=True),
    Column("authorized_at", TS, nullable=False),
    Column("last_active_at", TS, nullable=False),
    Column("deauthorized_at", TS, nullable=True),
)

#: The app's ad-account list (seed, "Managing Account Lists"): added automatically or by hand.
account_lists = Table(
    "account_lists",
    metadata,
    Column("app_id", ID, ForeignKey("apps.id", ondelete="CASCADE"), primary_key=True),
    Column("ad_account_id", ID, ForeignKey("ad_accounts.id", ondelete="CASCADE"), primary_key=True),
    Column("source", String(16), nullable=False),  # "auto" or "manual"
    Column("added_at", TS, nullable=False),
)

#: Calls per app and day, by class ("calls", "errors", "throttled", …); read by the review.
usage_daily = Table(
    "usage_daily",
    metadata,
    Column("app_id", ID, ForeignKey("apps.id", ondelete="CASCADE"), primary_key=True),
    Column("day", Integer, primary_key=True),  # days since the Unix epoch, server clock
    Column("klass", String(32), primary_key=True),
    Column("count", BigInteger, nullable=False),
)


# --- Marketing objects (migration 0003) -----------------------------------------------
def _owned(
    name: str, *columns: Column[Any], parent: tuple[str, str] | None = None, by_app: bool = False
) -> Table:
    """A Marketing object of one ad account, created by one app; listed newest first.

    ``by_app``: index the creating app (the ads, which the access review counts per app).
    """
    parents: list[Column[Any]] = []
    if parent is not None:
        column, table = parent
        parents.append(
            Column(column, ID, ForeignKey(f"{table}.id", ondelete="CASCADE"), nullable=False, index=True)
        )
    return Table(
        name,
        metadata,
        Column("id", ID, primary_key=True),
        Column("account_id", ID, ForeignKey("ad_accounts.id", ondelete="CASCADE"), nullable=False),
        *parents,
        Column("app_id", ID, ForeignKey("apps.id", ondelete="SET NULL"), nullable=True, index=by_app),
        Column("name", String(400), nullable=False),
        Column("status", String(16), nullable=False),
        *columns,
        Column("created_at", TS, nullable=False),
        Column("updated_at", TS, nullable=False),
        Index(f"ix_{name}_account_created", "account_id", "created_at"),
    )


campaigns = _owned(
    "campaigns",
    Column("objective", String(32), nullable=False),
    Column("special_ad_categories", Text, nullable=False),  # JSON array
    Column("daily_budget", BigInteger, nullable=True),
    Column("lifetime_budget", BigInteger, nullable=True),
    Column("spend_cap", BigInteger, nullable=True),
    Column("bid_strategy", String(40), nullable=True),
    Column("buying_type", String(16), nullable=False),
)

ad_sets = _owned(
    "ad_sets",
    Column("billing_event", String(32), nullable=False),
    Column("optimization_goal", String(48), nullable=False),
    Column("daily_budget", BigInteger, nullable=True),
    Column("lifetime_budget", BigInteger, nullable=True),
    Column("bid_amount", BigInteger, nullable=True),
    Column("targeting", Text, nullable=False),  # JSON object
    Column("start_time", TS, nullable=True),
    Column("end_time", TS, nullable=True),
    parent=("campaign_id", "campaigns"),
)

ad_creatives = _owned(
    "ad_creatives",
    Column("title", Text, nullable=True),
    Column("body", Text, nullable=True),
    Column("link_url", Text, nullable=True),
    Column("image_url", Text, nullable=True),
    Column("call_to_action_type", String(40), nullable=True),
    Column("object_story_spec", Text, nullable=True),  # JSON object
)

ads = _owned(
    "ads",
    Column("campaign_id", ID, ForeignKey("campaigns.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("creative_id", ID, ForeignKey("ad_creatives.id", ondelete="CASCADE"), nullable=False),
    Column("review_submitted_at", TS, nullable=False),
    Column("review_verdict", String(16), nullable=False),
    Column("review_feedback", Text, nullable=False),  # JSON object
    parent=("adset_id", "ad_sets"),
    by_app=True,
)

custom_audiences = _owned(
    "custom_audiences",
    Column("subtype", String(32), nullable=False),
    Column("description", Text, nullable=True),
    Column("customer_file_source", String(48), nullable=True),
    Column("retention_days", Integer, nullable=True),
    Column("rule", Text, nullable=True),  # JSON object
    Column("origin_audience_id", ID, nullable=True),
    Column("lookalike_spec", Text, nullable=True),  # JSON object
)

#: An ad account's image library (migration 0009): one row per distinct image (the MD5 of its
#: bytes), the bytes with it; a deleted image keeps its row with the status DELETED.
ad_images = Table(
    "ad_images",
    metadata,
    Column("account_id", ID, ForeignKey("ad_accounts.id", ondelete="CASCADE"), primary_key=True),
    Column("hash", String(32), primary_key=True),
    Column("app_id", ID, ForeignKey("apps.id", ondelete="SET NULL"), nullable=True),
    Column("name", String(100), nullable=False),
    Column("status", String(16), nullable=False),
    Column("content_type", String(32), nullable=False),
    Column("width", Integer, nullable=False),
    Column("height", Integer, nullable=False),
    Column("size", Integer, nullable=False),
    Column("data", LargeBinary, nullable=False),
    Column("created_at", TS, nullable=False),
    Column("updated_at", TS, nullable=False),
    Index("ix_ad_images_account_created", "account_id", "created_at"),
)

#: Async insights jobs: the query, resolved to fixed dates when the run was made.
report_runs = Table(
    "report_runs",
    metadata,
    Column("id", ID, primary_key=True),
    Column("account_id", ID, ForeignKey("ad_accounts.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("app_id", ID, ForeignKey("apps.id", ondelete="SET NULL"), nullable=True),
    Column("node_id", ID, nullable=False),
    Column("node_kind", String(32), nullable=False),
    Column("query", Text, nullable=False),  # JSON object
    Column("created_at", TS, nullable=False),
)

# --- the access review (migration 0004) ------------------------------------------------
#: Submissions for an access level ("ads_management_basic_access") or a permission
#: ("permission:manage_pages"), with the criteria's figures at submission and at decision.
review_submissions = Table(
    "review_submissions",
    metadata,
    Column("id", ID, primary_key=True),
    Column("app_id", ID, ForeignKey("apps.id", ondelete="CASCADE"), nullable=False),
    Column("feature", String(80), nullable=False),
    Column("target_level", String(32), nullable=True),  # None for a permission review
    Column("status", String(16), nullable=False),  # submitted, in_review, approved, denied
    Column("submitted_by", String(40), nullable=False),
    Column("submitted_at", TS, nullable=False),
    Column("due_at", TS, nullable=False),
    Column("decided_at", TS, nullable=True),
    Column("decided_by", String(40), nullable=True),
    Column("reasons", Text, nullable=False),  # JSON array
    Column("evidence_at_submission", Text, nullable=False),  # JSON object
    Column("evidence_at_decision", Text, nullable=True),  # JSON object
    Index("ix_review_submissions_app_feature", "app_id", "feature"),
    Index("ix_review_submissions_status_due", "status", "due_at"),
)

#: Every state change and decision of a submission: who, when, what.
review_audit = Table(
    "review_audit",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column(
        "submission_id",
        ID,
        ForeignKey("review_submissions.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    Column("app_id", ID, ForeignKey("apps.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("at", TS, nullable=False),
    Column("actor", String(40), nullable=False),
    Column("action", String(32), nullable=False),
    Column("detail", Text, nullable=False),  # JSON object
)

#: Permissions an app passed review for: people without a role may grant them in live mode.
app_permission_approvals = Table(
    "app_permission_approvals",
    metadata,
    Column("app_id", ID, ForeignKey("apps.id", ondelete="CASCADE"), primary_key=True),
    Column("permission", String(64), primary_key=True),
    Column("approved_at", TS, nullable=False),
)

#: Faults on demand (``adgate.policy.faults``): each rule's parsed form as JSON, how many of its
#: ``times`` are left, and how many calls it matched so far (the draw counter of probability rules).
fault_rules = Table(
    "fault_rules",
    metadata,
    Column("id", ID, primary_key=True),
    Column("spec", Text, nullable=False),  # JSON object
    Column("remaining", Integer, nullable=True),
    Column("matched", BigInteger, nullable=False, default=0),
    Column("created_at", TS, nullable=False),
)

#: Every failure a rule injected, for the sandbox to list.
fault_events = Table(
    "fault_events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("rule_id", ID, ForeignKey("fault_rules.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("at", TS, nullable=False),
    Column("method", String(8), nullable=False),
    Column("path", Text, nullable=False),
    Column("app_id", ID, nullable=True),
    Column("ad_account", ID, nullable=True),
    Column("effect", String(16), nullable=False),
)

#: Where an app wants to be told that a person removed it or asked for their data to be deleted.
app_callbacks = Table(
    "app_callbacks",
    metadata,
    Column("app_id", ID, ForeignKey("apps.id", ondelete="CASCADE"), primary_key=True),
    Column("deauthorize_url", Text, nullable=True),
    Column("data_deletion_url", Text, nullable=True),
)

#: An app's Webhooks subscriptions, one per object (``POST /{app-id}/subscriptions``).
webhook_subscriptions = Table(
    "webhook_subscriptions",
    metadata,
    Column("app_id", ID, ForeignKey("apps.id", ondelete="CASCADE"), primary_key=True),
    Column("object", String(32), primary_key=True),
    Column("callback_url", Text, nullable=False),
    Column("fields", Text, nullable=False),  # JSON list
    Column("created_at", TS, nullable=False),
)

#: Calls adgate makes to apps (callbacks, Webhooks), queued in the transaction that caused them.
deliveries = Table(
    "deliveries",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("app_id", ID, ForeignKey("apps.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("kind", String(16), nullable=False),
    Column("url", Text, nullable=False),
    Column("content_type", String(64), nullable=False),
    Column("body", Text, nullable=False),
    Column("status", String(12), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("next_at", TS, nullable=False),
    Column("created_at", TS, nullable=False),
    Column("answer", Text, nullable=True),  # JSON: what the app answered, when it means something
    Index("ix_deliveries_due", "status", "next_at"),
)

#: Every try of a delivery: the answer's status, how long it took, and the start of its body.
delivery_attempts = Table(
    "delivery_attempts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column(
        "delivery_id", Integer, ForeignKey("deliveries.id", ondelete="CASCADE"), nullable=False, index=True
    ),
    Column("at", TS, nullable=False),
    Column("status", Integer, nullable=True),
    Column("latency_ms", Integer, nullable=False),
    Column("excerpt", Text, nullable=False),
    Column("error", Text, nullable=True),
)

#: Failed sign-ins inside the login throttle's window, one row per key and failure (older rows are
#: pruned). ``key`` is ``email:`` or ``client:`` and a keyed digest: no address is stored in clear.
login_failures = Table(
    "login_failures",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("key", String(80), nullable=False),
    Column("failed_at", TS, nullable=False),
    Index("ix_login_failures_key_failed_at", "key", "failed_at"),
    Index("ix_login_failures_failed_at", "failed_at"),
)

#: Browser sessions on the server (dialog and consoles): a sign-in, or the sandbox console unlocked
#: with the admin key (``person_id`` may then be empty). The cookie carries the session id; only a
#: keyed digest of it is stored. A session is good while its row is: a log-out deletes it, a
#: password change and a log-out everywhere delete all of the person's.
browser_sessions = Table(
    "browser_sessions",
    metadata,
    Column("id_digest", String(64), primary_key=True),
    Column("person_id", ID, ForeignKey("people.id", ondelete="CASCADE"), nullable=True, index=True),
    Column("created_at", TS, nullable=False),
    Column("expires_at", TS, nullable=False, index=True),
)


__all__ = ["UniqueConstraint", "metadata"]
