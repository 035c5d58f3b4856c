"""The one error catalog and the exception that carries an entry of it.

Codes, subcodes, types, messages and HTTP statuses come from docs/graph-facts.md §1 to §8; where the
facts file marks a detail UNCONFIRMED, the choice made here is listed in the README's parity table.
Messages are ``str.format`` templates; :func:`GraphError.of` fills them in.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, TypeGuard

from adgate.policy.access import unsupported as unsupported_by_method


@dataclass(frozen=True, slots=True)
class ErrorSpec:
    code: int
    message: str
    subcode: int | None = None
    type: str = "OAuthException"
    status: int = 400
    transient: bool = False
    www_authenticate: str | None = None  # "invalid_token", "invalid_code", "invalid_request"


_T = "OAuthException"
_M = "GraphMethodException"
_BUC_MSG = (
    "There have been too many calls to this ad-account. Wait a bit and try again. For more info, "
    "please refer to https://developers.facebook.com/docs/graph-api/overview/rate-limiting"
)

#: The name of every catalog entry: :meth:`GraphError.of` takes only these, so a misspelt error is a
#: type error (mypy), and an entry missing from :data:`CATALOG` fails ``tests/protocol``.
ErrorName = Literal[
    "unknown",
    "service",
    "method",
    "invalid_parameter",
    "unsupported_get",
    "unsupported_post",
    "unsupported_delete",
    "unknown_path",
    "no_token",
    "deprecated_version",
    "body_too_large",
    "method_not_allowed",
    "code_invalid",
    "code_used",
    "code_expired",
    "code_redirect_mismatch",
    "code_verifier",
    "client_id_invalid",
    "client_secret_invalid",
    "missing_parameter",
    "grant_type_unsupported",
    "token_malformed",
    "token_expired",
    "token_password_changed",
    "token_logged_out",
    "token_not_authorized",
    "token_data_access_expired",
    "token_page_role_removed",
    "token_revoked",
    "token_app_secret_reset",
    "token_wrong_app",
    "proof_required",
    "proof_invalid",
    "proof_time_invalid",
    "permission_denied",
    "permissions_error",
    "invalid_permission",
    "requires_permission",
    "ads_management_required",
    "development_access",
    "ad_account_role",
    "gateway_unknown_route",
    "gateway_missing_header",
    "callback_verification",
    "app_token_required",
    "blocked",
    "app_limit",
    "user_limit",
    "account_limit",
    "buc_ads_insights",
    "buc_custom_audience",
    "buc_ads_management",
    "debug_wrong_app",
    "debug_not_developer",
    "nonexisting_field",
    "system_user_limit",
    "admin_key",
    "not_found",
    "conflict",
    "ad_account_read_only",
    "account_list_full",
    "business_manager_limited",
    "multi_account_limited",
    "page_creation_limited",
    "account_list_act_prefix",
    "account_list_not_numeric",
    "account_list_no_account",
    "account_list_at_max",
    "account_list_not_listed",
    "apps_api_unauthorized",
    "apps_api_forbidden",
    "insights_too_old",
    "insights_too_much",
    "report_not_ready",
    "batch_too_large",
    "batch_invalid",
    "review_skip",
    "review_top_level",
    "review_open",
    "review_already_approved",
    "review_decided",
    "review_unauthorized",
    "review_forbidden",
    "business_has_access",
]

# fmt: off
CATALOG: dict[ErrorName, ErrorSpec] = {
    # --- generic ---------------------------------------------------------------------------
    "unknown": ErrorSpec(1, "An unknown error occurred", status=500, transient=True),
    "service": ErrorSpec(2, "An unexpected error has occurred. Please retry your request later.",
                         status=503, transient=True),
    "method": ErrorSpec(3, "Application does not have the capability to make this API call.", type=_M),
    "invalid_parameter": ErrorSpec(100, "(#100) {detail}"),
    "unsupported_get": ErrorSpec(100, "Unsupported get request. Object with ID '{node}' does not exist, "
                                 "cannot be loaded due to missing permissions, or does not support this "
                                 "operation.", subcode=33, type=_M),
    "unsupported_post": ErrorSpec(100, "Unsupported post request. Object with ID '{node}' does not exist, "
                                  "cannot be loaded due to missing permissions, or does not support this "
                                  "operation.", subcode=33, type=_M),
    "unsupported_delete": ErrorSpec(100, "Unsupported delete request. Object with ID '{node}' does not "
                                    "exist, cannot be loaded due to missing permissions, or does not "
                                    "support this operation.", subcode=33, type=_M),
    "unknown_path": ErrorSpec(2500, "Unknown path components: {path}"),
    "no_token": ErrorSpec(2500, "An active access token must be used to query information about the "
                          "current user.", www_authenticate="invalid_request"),
    "deprecated_version": ErrorSpec(2635, "You are calling a deprecated version of the Ads API. Please "
                                    "update to the latest version: {latest}."),
    "body_too_large": ErrorSpec(100, "(#100) The request body is larger than {limit} bytes.", status=413),
    "method_not_allowed": ErrorSpec(100, "(#100) Unsupported method {method} for {path}.", status=405),
    # --- OAuth dialog and token endpoint (§1) ----------------------------------------------------
    "code_invalid": ErrorSpec(100, "Invalid verification code format.", www_authenticate="invalid_code"),
    "code_used": ErrorSpec(100, "This authorization code has been used.", www_authenticate="invalid_code"),
    "code_expired": ErrorSpec(100, "This authorization code has expired.", www_authenticate="invalid_code"),
    "code_redirect_mismatch": ErrorSpec(100, "Error validating verification code. Please make sure your "
                                        "redirect_uri is identical to the one you used in the OAuth "
                                        "dialog request", www_authenticate="invalid_code"),
    "code_verifier": ErrorSpec(100, "Invalid code verifier.", www_authenticate="invalid_code"),
    "client_id_invalid": ErrorSpec(101, "Error validating application. Invalid application ID.",
                                   www_authenticate="invalid_client"),
    "client_secret_invalid": ErrorSpec(1, "Error validating client secret.",
                                       www_authenticate="invalid_client"),
    "missing_parameter": ErrorSpec(100, "Missing {name} parameter.", www_authenticate="invalid_request"),
    "grant_type_unsupported": ErrorSpec(100, "Unsupported grant_type: {grant_type}.",
                                        www_authenticate="invalid_request"),
    # --- access tokens (§2, §4.3) ----------------------------------------------------------------
    "token_malformed": ErrorSpec(190, "Invalid OAuth access token - Cannot parse access token",
                                 www_authenticate="invalid_token"),
    "token_expired": ErrorSpec(190, "Error validating access token: Session has expired on {expired}. "
                               "The current time is {now}.", subcode=463, www_authenticate="invalid_token"),
    "token_password_changed": ErrorSpec(190, "Error validating access token: The session has been "
                                        "invalidated because the user changed their password or Facebook "
                                        "has changed the session for security reasons.", subcode=460,
                                        www_authenticate="invalid_token"),
    "token_logged_out": ErrorSpec(190, "Error validating access token: The session is invalid because "
                                  "the user logged out.", subcode=467, www_authenticate="invalid_token"),
    "token_not_authorized": ErrorSpec(190, "Error validating access token: The user has not authorized "
                                      "application {app_id}.", subcode=458, www_authenticate="invalid_token"),
    "token_data_access_expired": ErrorSpec(190, "The access token is invalid since the user hasn't "
                                           "engaged the app in longer than 90 days.", subcode=493,
                                           www_authenticate="invalid_token"),
    "token_page_role_removed": ErrorSpec(190, "Error validating access token: The user is not an "
                                         "administrator, editor, or moderator of the Page.", subcode=492,
                                         www_authenticate="invalid_token"),
    "token_revoked": ErrorSpec(190, "Error validating access token: The session was invalidated "
                               "explicitly using an API call.", subcode=466,
                               www_authenticate="invalid_token"),
    "token_app_secret_reset": ErrorSpec(190, "Error validating access token: The app secret was reset "
                                        "and this app token is no longer valid.", subcode=467,
                                        www_authenticate="invalid_token"),
    "token_wrong_app": ErrorSpec(190, "Error validating access token: The token does not belong to "
                                 "application {app_id}.", www_authenticate="invalid_token"),
    # --- appsecret_proof (§8) ------------------------------------------------------------------
    "proof_required": ErrorSpec(100, "API calls from the server require an appsecret_proof argument",
                                type=_M),
    "proof_invalid": ErrorSpec(100, "Invalid appsecret_proof provided in the API argument", type=_M),
    "proof_time_invalid": ErrorSpec(100, "Invalid appsecret_time provided in the API argument: {detail}",
                                    type=_M),
    # --- permissions and access levels (§4.2, §10) ---------------------------------------------
    "permission_denied": ErrorSpec(10, "(#10) Application does not have permission for this action"),
    "permissions_error": ErrorSpec(200, "(#200) {detail}", status=403),
    # POST /{business}/system_user_access_tokens (§7): an unknown name in ``scope``.
    "invalid_permission": ErrorSpec(3962, "(#3962) Provided permission is not valid. Check your spelling "
                                    "and syntax: {names}"),
    "requires_permission": ErrorSpec(200, "(#200) Requires {permission} permission to manage the object",
                                     status=403),
    "ads_management_required": ErrorSpec(294, "(#294) Managing advertisements requires an access token "
                                         "with the extended permission for ads_management", status=403),
    "development_access": ErrorSpec(270, "(#270) This Ads API request is not allowed for apps with "
                                    "development access level (Development access is by default for all "
                                    "apps, please request for upgrade). Make sure that the access token "
                                    "belongs to a user that is both admin of the app and admin of the ad "
                                    "account"),
    "ad_account_role": ErrorSpec(273, "(#273) This Ads API call requires the user to be admin of the ad "
                                 "account. User {user_id} is not admin on ad account {account_id}."),
    # --- throttling (§5) -------------------------------------------------------------------------
    "gateway_unknown_route": ErrorSpec(2500, "Unknown path components: {method} {path} is not a route of "
                                       "this API", status=404),
    "gateway_missing_header": ErrorSpec(100, "(#100) The decision request has no {header} header: say which "
                                        "request to decide on (the proxy's configuration sets it)."),
    "callback_verification": ErrorSpec(2200, "(#2200) callback verification failed: {detail}"),
    "app_token_required": ErrorSpec(15, "(#15) This method must be called with an app access_token."),
    "blocked": ErrorSpec(368, "The action attempted has been deemed abusive or is otherwise disallowed"),
    "app_limit": ErrorSpec(4, "(#4) Application request limit reached", status=403, transient=True),
    "user_limit": ErrorSpec(17, "(#17) User request limit reached", subcode=2446079, transient=True),
    "account_limit": ErrorSpec(613, "(#613) Calls to this api have exceeded the rate limit.",
                               subcode=1487742, transient=True),
    "buc_ads_insights": ErrorSpec(80000, _BUC_MSG, subcode=2446079, transient=True),
    "buc_custom_audience": ErrorSpec(80003, _BUC_MSG, subcode=2446079, transient=True),
    "buc_ads_management": ErrorSpec(80004, _BUC_MSG, subcode=2446079, transient=True),
    # --- debug_token, /me, system users (docs/graph-facts.md §3, §6, §7) ---------------------------
    "debug_wrong_app": ErrorSpec(100, "(#100) The App_id in the input_token did not match the Viewing App"),
    "debug_not_developer": ErrorSpec(100, "(#100) You must provide an app access token, or a user access "
                                     "token that is an owner or developer of the app"),
    "nonexisting_field": ErrorSpec(100, "(#100) Tried accessing nonexisting field ({field}) on node type "
                                   "({node_type})"),
    "system_user_limit": ErrorSpec(100, "(#100) Business {business_id} already has {count} {what}: the "
                                   "most an app with {level} access can create. The limit follows the "
                                   "access level of the calling app."),
    # --- sandbox control API ----------------------------------------------------------------
    "admin_key": ErrorSpec(190, "The sandbox control API needs the admin key as a Bearer token.",
                           status=401, www_authenticate="invalid_token"),
    "not_found": ErrorSpec(803, "(#803) Some of the aliases you requested do not exist: {node}", status=404),
    "conflict": ErrorSpec(100, "(#100) {detail}", status=409),
    # --- the gate: access levels and account lists (seed "Limits"; docs/graph-facts.md §4.2, §10) -----
    "ad_account_read_only": ErrorSpec(200, "(#200) User {user_id} can only read ad account {account_id}: "
                                      "managing it needs the admin or advertiser role on the account.",
                                      status=403),
    "account_list_full": ErrorSpec(10, "(#10) Ad account {account_id} is not in the account list of app "
                                   "{app_id}, and the list is full: {level} access allows {limit} ad "
                                   "accounts. Remove an account with the Ads API account configuration "
                                   "tool, or {hint}."),
    "business_manager_limited": ErrorSpec(10, "(#10) App {app_id} has {level} access, with limited "
                                          "Business Manager access: managing ad accounts, user "
                                          "permissions and Pages through Business Manager needs "
                                          "{needed} access."),
    "multi_account_limited": ErrorSpec(10, "(#10) This call spans several ad accounts, or no single ad "
                                       "account can be identified: it needs {needed} access, and app "
                                       "{app_id} has {level} access."),
    "page_creation_limited": ErrorSpec(10, "(#10) Creating Pages through the API needs {needed} access, "
                                       "and app {app_id} has {level} access."),
    "account_list_act_prefix": ErrorSpec(100, "(#100) Enter the numeric ad account id without act_: "
                                         "{numeric}, not {given}."),
    "account_list_not_numeric": ErrorSpec(100, "(#100) An ad account id is a number, like 123456789; got "
                                          "{given!r}."),
    "account_list_no_account": ErrorSpec(100, "(#100) {account_id} is not the id of an ad account. Check "
                                         "that the account ids match exactly."),
    "account_list_at_max": ErrorSpec(100, "(#100) The account list of app {app_id} is full: {level} access "
                                     "allows {limit} ad accounts. Remove an account before adding another, "
                                     "or {hint}."),
    "account_list_not_listed": ErrorSpec(100, "(#100) Ad account {account_id} is not in the account list of "
                                         "app {app_id}.", status=404),
    "apps_api_unauthorized": ErrorSpec(190, "This API needs the admin key, or a user access token of an "
                                       "administrator or developer of the app, as a Bearer token or "
                                       "access_token.", status=401, www_authenticate="invalid_token"),
    "apps_api_forbidden": ErrorSpec(200, "(#200) User {user_id} is not an administrator or developer of "
                                    "app {app_id}.", status=403),
    # --- Marketing objects, insights and batch  -----------------------------------------
    "insights_too_old": ErrorSpec(3018, "(#3018) The start date of the time range cannot be beyond 37 "
                                  "months from the current date"),
    "insights_too_much": ErrorSpec(1, "Please reduce the amount of data you're asking for, then retry "
                                   "your request", subcode=99),
    "report_not_ready": ErrorSpec(100, "(#100) Report {run_id} is not ready yet: its async_status is "
                                  "{status}. Read /{run_id} until async_status is Job Completed."),
    "batch_too_large": ErrorSpec(100, "(#100) Too many requests in batch message. Maximum batch size is "
                                 "{limit}"),
    "batch_invalid": ErrorSpec(100, "(#100) {detail}"),
    # --- the access review  ---------------------------------------------------------------
    "review_skip": ErrorSpec(100, "(#100) App {app_id} has {level} access and can apply only for {allowed}: "
                             "access levels cannot be skipped."),
    "review_top_level": ErrorSpec(100, "(#100) App {app_id} already has {level} access, the highest level: "
                                  "there is no access level to apply for."),
    "review_open": ErrorSpec(100, "(#100) App {app_id} already has an open submission ({submission_id}) for "
                             "{feature}; wait for its decision before submitting again.", status=409),
    "review_already_approved": ErrorSpec(100, "(#100) App {app_id} is already approved for {feature}.",
                                         status=409),
    "review_decided": ErrorSpec(100, "(#100) Submission {submission_id} is already {status}: a decision is "
                                "final.", status=409),
    "review_unauthorized": ErrorSpec(190, "The review API needs the admin key, or a user access token of a "
                                     "person with the reviewer role, as a Bearer token or access_token.",
                                     status=401, www_authenticate="invalid_token"),
    "review_forbidden": ErrorSpec(200, "(#200) User {user_id} does not have the reviewer role.", status=403),
    # --- Business Manager: claiming assets (business/owned_ad_accounts reference, error table) ----
    "business_has_access": ErrorSpec(3944, "(#3944) Your Business Manager already has access to this "
                                     "object."),
}
# fmt: on


def is_error_name(name: str) -> TypeGuard[ErrorName]:
    """A name that came in as text (a sandbox fault rule) is a catalog entry."""
    return name in CATALOG


@dataclass(slots=True)
class GraphError(Exception):
    """An error on its way to the client, rendered once by :mod:`adgate.protocol.envelope`."""

    spec: ErrorSpec
    message: str
    user_title: str | None = None
    user_msg: str | None = None
    error_data: dict[str, Any] | None = None
    extra_headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, name: ErrorName, /, **params: object) -> GraphError:
        spec = CATALOG[name]
        return cls(spec, spec.message.format(**params) if params else spec.message)

    @classmethod
    def unsupported(cls, method: str, node: str | None) -> GraphError:
        """Graph's 100/33 for an object that does not exist or that the caller may not see."""
        return cls.of(unsupported_by_method(method), node=node)

    @classmethod
    def invalid(cls, detail: str) -> GraphError:
        """Code 100, the answer to any bad parameter, with a message that says what is wrong."""
        return cls.of("invalid_parameter", detail=detail)

    def __str__(self) -> str:
        return self.message

    @property
    def code(self) -> int:
        return self.spec.code

    @property
    def subcode(self) -> int | None:
        return self.spec.subcode
