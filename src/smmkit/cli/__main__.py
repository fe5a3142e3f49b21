"""``python -m smmkit.cli``: the same as the ``smmkit`` command."""

from smmkit.cli import main

if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
