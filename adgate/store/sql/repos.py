"""Every repository of the SQL database, bound to one connection in one transaction."""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar, overload

from sqlalchemy.ext.asyncio import AsyncConnection

from adgate.store import tables
from adgate.store.sql.auth import SqlCodes, SqlGrants, SqlSealedTokens, SqlSystemUsers, SqlTokens
from adgate.store.sql.callbacks import SqlCallbacks
from adgate.store.sql.faults import SqlFaults
from adgate.store.sql.gate import SqlAccountLists, SqlUsage
from adgate.store.sql.marketing import (
    SqlAdCreatives,
    SqlAdImages,
    SqlAds,
    SqlAdSets,
    SqlCampaigns,
    SqlCustomAudiences,
    SqlReportRuns,
)
from adgate.store.sql.review import SqlReview
from adgate.store.sql.security import SqlBrowserSessions, SqlLoginFailures
from adgate.store.sql.world import (
    SqlAdAccounts,
    SqlApps,
    SqlBusinesses,
    SqlMeta,
    SqlNodes,
    SqlPages,
    SqlPeople,
    SqlRoles,
    SqlSystemUserAdAccounts,
)

R = TypeVar("R")


class _Repo(Generic[R]):
    """One repository of :class:`SqlRepos`, made on first use from the transaction's connection
    and kept on the instance (a non-data descriptor: the instance's own attribute wins after)."""

    def __init__(self, make: Callable[[AsyncConnection], R]) -> None:
        self._make = make
        self._name = ""

    def __set_name__(self, _owner: type, name: str) -> None:
        self._name = name

    @overload
    def __get__(self, repos: None, _owner: type) -> _Repo[R]: ...

    @overload
    def __get__(self, repos: SqlRepos, _owner: type | None = None) -> R: ...

    def __get__(self, repos: SqlRepos | None, _owner: type | None = None) -> R | _Repo[R]:
        if repos is None:
            return self
        repo = self._make(repos._conn)
        repos.__dict__[self._name] = repo
        return repo


class SqlRepos:
    """Every repository bound to one connection in one transaction, each made when first used
    (a transaction touches two or three of them)."""

    nodes = _Repo(SqlNodes)
    meta = _Repo(SqlMeta)
    people = _Repo(SqlPeople)
    businesses = _Repo(SqlBusinesses)
    business_people = _Repo(lambda conn: SqlRoles(conn, tables.business_people))
    ad_accounts = _Repo(SqlAdAccounts)
    ad_account_roles = _Repo(lambda conn: SqlRoles(conn, tables.ad_account_roles))
    pages = _Repo(SqlPages)
    page_roles = _Repo(lambda conn: SqlRoles(conn, tables.page_roles))
    apps = _Repo(SqlApps)
    app_roles = _Repo(lambda conn: SqlRoles(conn, tables.app_roles))
    system_users = _Repo(SqlSystemUsers)
    system_user_ad_accounts = _Repo(SqlSystemUserAdAccounts)
    tokens = _Repo(SqlTokens)
    sealed_tokens = _Repo(SqlSealedTokens)
    codes = _Repo(SqlCodes)
    grants = _Repo(SqlGrants)
    account_lists = _Repo(SqlAccountLists)
    usage = _Repo(SqlUsage)
    campaigns = _Repo(SqlCampaigns)
    ad_sets = _Repo(SqlAdSets)
    ads = _Repo(SqlAds)
    ad_creatives = _Repo(SqlAdCreatives)
    ad_images = _Repo(SqlAdImages)
    custom_audiences = _Repo(SqlCustomAudiences)
    report_runs = _Repo(SqlReportRuns)
    review = _Repo(SqlReview)
    faults = _Repo(SqlFaults)
    callbacks = _Repo(SqlCallbacks)
    login_failures = _Repo(SqlLoginFailures)
    browser_sessions = _Repo(SqlBrowserSessions)

    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn
