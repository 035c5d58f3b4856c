"""The HTTP stack alone: adgate's own bare endpoints through the whole middleware.

.venv/bin/python bench/http_stack.py [--seconds 10]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import server, wrk

from adgate.testing.server import free_port


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, server(Path(tmp), free_port()) as url:
        wrk("warm-up", f"{url}/_health", seconds=2)
        for name, path in (("bare: GET /_health", "/_health"), ("graph root: GET /v26.0/", "/v26.0/")):
            print(wrk(name, url + path, seconds=args.seconds).line(), flush=True)


if __name__ == "__main__":
    main()
