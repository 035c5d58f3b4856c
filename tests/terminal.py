"""Running a command with a pseudo-terminal of a given width as its stdout, as a person would."""

from __future__ import annotations

import fcntl
import os
import pty
import re
import select
import signal
import struct
import subprocess
import termios
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07")


def plain(text: str) -> str:
    """Terminal output without colours and with plain newlines."""
    return ANSI.sub("", text).replace("\r\n", "\n")


def in_terminal(
    command: Sequence[str],
    *,
    columns: int,
    env: Mapping[str, str],
    cwd: Path | None = None,
    until: str | None = None,
    timeout: float = 60,
) -> str:
    """The command's output on a ``columns``-wide terminal: until it exits, or until ``until``
    appears (then it is interrupted, as Ctrl+C would)."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, columns, 0, 0))
    process = subprocess.Popen(
        list(command),
        stdin=subprocess.DEVNULL,
        stdout=slave,
        stderr=slave,
        env={**env, "COLUMNS": str(columns), "TERM": "xterm-256color"},
        cwd=cwd,
    )
    os.close(slave)
    chunks: list[bytes] = []
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 0.2)
            if ready:
                try:
                    data = os.read(master, 65536)
                except OSError:  # the other side closed: the command ended
                    break
                if not data:
                    break
                chunks.append(data)
                if until is not None and until in plain(b"".join(chunks).decode(errors="replace")):
                    break
            elif process.poll() is not None:
                break
        else:
            raise AssertionError("timed out:\n" + plain(b"".join(chunks).decode(errors="replace")))
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        os.close(master)
    return plain(b"".join(chunks).decode(errors="replace"))
