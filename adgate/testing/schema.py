"""A SQLite database at the schema's head in a millisecond, for a suite that makes one per test.

The migrations run once a process, into a template file; each new database is a copy of it. The
copy is what the server would have made itself on first start (the same migrations, the same
revision recorded), without running every migration again for every test: that was most of the
time a test took to start a server.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
import threading
from pathlib import Path

from sqlalchemy import create_engine
from sqlalchemy.pool import NullPool

from adgate.store.migrate import upgrade_sync

_lock = threading.Lock()
_template: Path | None = None


def _made_template() -> Path:
    global _template
    with _lock:
        if _template is None or not _template.exists():
            directory = Path(tempfile.mkdtemp(prefix="adgate-schema-"))
            atexit.register(shutil.rmtree, directory, ignore_errors=True)
            template = directory / "head.db"
            engine = create_engine(f"sqlite:///{template}", poolclass=NullPool)
            try:
                with engine.begin() as conn:
                    upgrade_sync(conn)
            finally:
                engine.dispose()
            _template = template
        return _template


def migrated_sqlite(path: Path) -> Path:
    """Put a database at the schema's head at ``path`` (its directory made) unless one is there
    already (a server started again on the same file keeps its data), and return ``path``."""
    if not path.exists():
        template = _made_template()
        path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(template, path)
    return path
