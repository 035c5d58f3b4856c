"""Zero-code-change interception: adgate answers as Graph's own hosts through an HTTP proxy it runs.

A client pointed at the proxy (``HTTPS_PROXY=http://127.0.0.1:PORT``) and trusting adgate's local CA
reaches adgate when it calls ``https://graph.facebook.com`` or opens ``https://www.facebook.com``'s
dialog, without a line of its code changed. See ``docs/intercept.md``.
"""
