"""The ``smmkit`` command: the catalog, adaptation, validation, iCalendar and the demo.

Every command takes ``--json`` for machine-readable output. The exit code is 0 on
success, 1 when an input is rejected (a file, a platform id, a value; ``validate`` also
when a post has errors) and 2 when the command line itself is malformed. See
``docs/cli.md``.

Example:
    >>> main(["platforms", "--role", "private_domain", "--json"])  # doctest: +ELLIPSIS
    [...
    0
"""

from smmkit import _public
from smmkit.cli._main import main

__all__ = ["main"]

_public.set_public_module(globals(), __all__, __name__)
