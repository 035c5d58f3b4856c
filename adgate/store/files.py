"""What adgate keeps on disk is readable by its own user only: the data directory 0700, the files 0600.

The SQLite database holds password hashes and encrypted app secrets, and the data directory holds
the admin and secret keys. The database file is created here, before SQLite opens it, with mode
0600; SQLite gives its ``-wal`` and ``-shm`` files the mode of the database file. Files from an
earlier version (created under the process's umask) are narrowed at every start.
"""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy.engine import make_url

from adgate.settings import SECRETS_FILE

DIRECTORY_MODE = 0o700
FILE_MODE = 0o600
_SQLITE_SUFFIXES = ("", "-wal", "-shm", "-journal")


def sqlite_path(database_url: str) -> Path | None:
    """The file of a SQLite URL, or None (another database, or an in-memory one)."""
    url = make_url(database_url)
    if not url.drivername.startswith("sqlite") or not url.database or url.database == ":memory:":
        return None
    return Path(url.database)


def protect_data_dir(data_dir: Path) -> None:
    """Make the directory 0700 and adgate's own files in it (keys, database) 0600."""
    data_dir.mkdir(mode=DIRECTORY_MODE, parents=True, exist_ok=True)
    os.chmod(data_dir, DIRECTORY_MODE)
    for path in data_dir.iterdir():
        ours = path.name == SECRETS_FILE or path.name.startswith("adgate.db")
        if ours and path.is_file() and not path.is_symlink():
            os.chmod(path, FILE_MODE)


def protect_database(database_url: str) -> None:
    """Create the SQLite file 0600 if it is missing, and narrow it and its companions if not."""
    path = sqlite_path(database_url)
    if path is None:
        return
    path.parent.mkdir(mode=DIRECTORY_MODE, parents=True, exist_ok=True)
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT, FILE_MODE))
    for suffix in _SQLITE_SUFFIXES:
        companion = path.with_name(path.name + suffix)
        if companion.exists():
            os.chmod(companion, FILE_MODE)
