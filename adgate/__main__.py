"""``python -m adgate`` is the ``adgate`` command."""

from adgate.cli import main

main()
