"""adgate: the access and authentication layer of an ads API, faithful on the wire to Graph.

The package is laid out the way docs/architecture.md describes: ``policy`` (pure decisions), ``protocol``
(wire formats), ``store`` (persistence behind small interfaces), ``services`` (use cases), ``web``
(thin handlers) and ``client`` (the app-side toolkit, independent of the server).
"""

__version__ = "0.1.0"
