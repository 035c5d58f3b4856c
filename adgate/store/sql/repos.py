"""Every repository of the SQL database, bound to one connection in one transaction."""

from __future__ import annotations

from functools import cached_property

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


class SqlRepos:
    """Every repository bound to one connection in one transaction, each made when first used
    (a transaction touches two or three of them)."""

    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    @cached_property
    def nodes(self) -> SqlNodes:
        return SqlNodes(self._conn)

    @cached_property
    def meta(self) -> SqlMeta:
        return SqlMeta(self._conn)

    @cached_property
    def people(self) -> SqlPeople:
        return SqlPeople(self._conn)

    @cached_property
    def businesses(self) -> SqlBusinesses:
        return SqlBusinesses(self._conn)

    @cached_property
    def business_people(self) -> SqlRoles:
        return SqlRoles(self._conn, tables.business_people)

    @cached_property
    def ad_accounts(self) -> SqlAdAccounts:
        return SqlAdAccounts(self._conn)

    @cached_property
    def ad_account_roles(self) -> SqlRoles:
        return SqlRoles(self._conn, tables.ad_account_roles)

    @cached_property
    def pages(self) -> SqlPages:
        return SqlPages(self._conn)

    @cached_property
    def page_roles(self) -> SqlRoles:
        return SqlRoles(self._conn, tables.page_roles)

    @cached_property
    def apps(self) -> SqlApps:
        return SqlApps(self._conn)

    @cached_property
    def app_roles(self) -> SqlRoles:
        return SqlRoles(self._conn, tables.app_roles)

    @cached_property
    def system_users(self) -> SqlSystemUsers:
        return SqlSystemUsers(self._conn)

    @cached_property
    def system_user_ad_accounts(self) -> SqlSystemUserAdAccounts:
        return SqlSystemUserAdAccounts(self._conn)

    @cached_property
    def tokens(self) -> SqlTokens:
        return SqlTokens(self._conn)

    @cached_property
    def sealed_tokens(self) -> SqlSealedTokens:
        return SqlSealedTokens(self._conn)

    @cached_property
    def codes(self) -> SqlCodes:
        return SqlCodes(self._conn)

    @cached_property
    def grants(self) -> SqlGrants:
        return SqlGrants(self._conn)

    @cached_property
    def account_lists(self) -> SqlAccountLists:
        return SqlAccountLists(self._conn)

    @cached_property
    def usage(self) -> SqlUsage:
        return SqlUsage(self._conn)

    @cached_property
    def campaigns(self) -> SqlCampaigns:
        return SqlCampaigns(self._conn)

    @cached_property
    def ad_sets(self) -> SqlAdSets:
        return SqlAdSets(self._conn)

    @cached_property
    def ads(self) -> SqlAds:
        return SqlAds(self._conn)

    @cached_property
    def ad_creatives(self) -> SqlAdCreatives:
        return SqlAdCreatives(self._conn)

    @cached_property
    def ad_images(self) -> SqlAdImages:
        return SqlAdImages(self._conn)

    @cached_property
    def custom_audiences(self) -> SqlCustomAudiences:
        return SqlCustomAudiences(self._conn)

    @cached_property
    def report_runs(self) -> SqlReportRuns:
        return SqlReportRuns(self._conn)

    @cached_property
    def review(self) -> SqlReview:
        return SqlReview(self._conn)

    @cached_property
    def faults(self) -> SqlFaults:
        return SqlFaults(self._conn)

    @cached_property
    def callbacks(self) -> SqlCallbacks:
        return SqlCallbacks(self._conn)

    @cached_property
    def login_failures(self) -> SqlLoginFailures:
        return SqlLoginFailures(self._conn)

    @cached_property
    def browser_sessions(self) -> SqlBrowserSessions:
        return SqlBrowserSessions(self._conn)
