"""The one error catalog (STYLE.md habit 6) and the exception that carries an entry of it.

Codes, subcodes, types, messages and HTTP statuses come from graph-api-facts.md §1 to §8; where the
facts file marks a detail UNCONFIRMED, the choice made here is listed in the README's parity table.
Messages are ``str.format`` templates; :func:`GraphError.of` fills them in.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


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

# fmt: off
CATALOG: dict[str, ErrorSpec] = {
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
    "method_not_allowed": ErrorSpec(100, "(#100) Unsupported method {method} for {path}."),
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
    "app_limit": ErrorSpec(4, "(#4) Application request limit reached", status=403, transient=True),
    "user_limit": ErrorSpec(17, "(#17) User request limit reached", subcode=2446079, transient=True),
    "account_limit": ErrorSpec(613, "(#613) Calls to this api have exceeded the rate limit.",
                               subcode=1487742, transient=True),
    "buc_ads_insights": ErrorSpec(80000, _BUC_MSG, subcode=2446079, transient=True),
    "buc_custom_audience": ErrorSpec(80003, _BUC_MSG, subcode=2446079, transient=True),
    "buc_ads_management": ErrorSpec(80004, _BUC_MSG, subcode=2446079, transient=True),
    # --- sandbox control API ----------------------------------------------------------------
    "admin_key": ErrorSpec(190, "The sandbox control API needs the admin key as a Bearer token.",
                           status=401, www_authenticate="invalid_token"),
    "not_found": ErrorSpec(803, "(#803) Some of the aliases you requested do not exist: {node}", status=404),
    "conflict": ErrorSpec(100, "(#100) {detail}", status=409),
}
# fmt: on


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
    def of(cls, name: str, /, **params: object) -> GraphError:
        spec = CATALOG[name]
        return cls(spec, spec.message.format(**params) if params else spec.message)

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
