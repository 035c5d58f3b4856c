"""adgate.client: the app side of the seed, for real Graph and for an adgate server alike.

Log a person in and keep their token (``LoginFlow``, ``TokenStore``), check stored tokens
regularly (``TokenChecker``, or ``adgate-client check`` from cron), ask the person again when one
dies (``Reasker``, by e-mail with ``SmtpMailer`` or any callable), and make throttle-aware calls
that raise typed errors (``GraphClient``). Depends on nothing in the server package.
"""

from adgate.client.checker import CheckReport, CheckResult, TokenChecker
from adgate.client.config import GraphConfig
from adgate.client.errors import (
    Checkpointed,
    ClientError,
    DataAccessExpired,
    Expired,
    GraphAPIError,
    GraphPermissionError,
    GraphUnavailableError,
    InvalidSession,
    InvalidTokenError,
    LoggedOut,
    NotAuthorized,
    PasswordChanged,
    ThrottledError,
    Unconfirmed,
    plain_reason,
)
from adgate.client.http import Backoff, GraphClient, GraphResponse, appsecret_proof
from adgate.client.login import Authorized, Denied, Login, LoginFlow, PageToken, TokenGrant
from adgate.client.reask import Notice, Reasker, ReaskError, Renewed, SmtpMailer, compose_email
from adgate.client.signed import (
    DeauthorizeHandler,
    SignedRequestError,
    parse_signed_request,
    verify_hub_signature,
)
from adgate.client.state import State, StateError, StateSigner
from adgate.client.store import StoredToken, TokenStore, create_tables, generate_key
from adgate.client.token_info import TokenInfo, debug_token
from adgate.client.usage import Usage

__all__ = [
    "Authorized",
    "Backoff",
    "CheckReport",
    "CheckResult",
    "Checkpointed",
    "ClientError",
    "DataAccessExpired",
    "DeauthorizeHandler",
    "Denied",
    "Expired",
    "GraphAPIError",
    "GraphClient",
    "GraphConfig",
    "GraphPermissionError",
    "GraphResponse",
    "GraphUnavailableError",
    "InvalidSession",
    "InvalidTokenError",
    "LoggedOut",
    "Login",
    "LoginFlow",
    "NotAuthorized",
    "Notice",
    "PageToken",
    "PasswordChanged",
    "ReaskError",
    "Reasker",
    "Renewed",
    "SignedRequestError",
    "SmtpMailer",
    "State",
    "StateError",
    "StateSigner",
    "StoredToken",
    "ThrottledError",
    "TokenChecker",
    "TokenGrant",
    "TokenInfo",
    "TokenStore",
    "Unconfirmed",
    "Usage",
    "appsecret_proof",
    "compose_email",
    "create_tables",
    "debug_token",
    "generate_key",
    "parse_signed_request",
    "plain_reason",
    "verify_hub_signature",
]
