"""adgate for your own test suites: a real sandbox server per test, a world builder, the SDK wired.

    def test_my_report_job(adgate):
        alice = adgate.person("Alice")
        app = adgate.app("My App", admin=alice, level="basic")
        account = adgate.ad_account("Shoes", admins=[alice])
        token = adgate.user_token(alice, app, scopes=["ads_read"])
        api = adgate.sdk(app, token)            # facebook_business pointed at the sandbox
        ...

The ``adgate`` fixture comes from the pytest plugin installed with the package.
"""

from adgate.testing.sandbox import Sandbox, SandboxError
from adgate.testing.server import LiveServer, live_server

__all__ = ["LiveServer", "Sandbox", "SandboxError", "live_server"]
