"""The gate: what decides whether a Graph call is admitted (docs/architecture.md).

Read :mod:`adgate.services.gate.pipeline` first: it lists every step in order.

- :mod:`~adgate.services.gate.call` — a Graph call and an endpoint's declaration (what it needs);
- :mod:`~adgate.services.gate.router` — the declared endpoints, path resolution and
  :func:`~adgate.services.gate.router.dispatch` (gate, handler, settlers);
- :mod:`~adgate.services.gate.admission` — a call on its way through the steps; what a step is;
- :mod:`~adgate.services.gate.token_steps` — token, appsecret_proof, validity, permission;
- :mod:`~adgate.services.gate.access` — access level, caller rules, account list, rate limits, usage;
- :mod:`~adgate.services.gate.memo` — admitted calls remembered until what they read changes;
- :mod:`~adgate.services.gate.limits`, :mod:`~adgate.services.gate.active_counts`,
  :mod:`~adgate.services.gate.usage` — the rate limits and usage counts the access steps keep.
"""
