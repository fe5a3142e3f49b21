"""The lowest declared version of each core dependency of smmkit, as pip pins.

Reads the requirements of the installed ``smmkit`` (install it first, ``--no-deps``, in
the environment that runs this, so the metadata is the checkout's ``pyproject.toml``)
and prints ``name==floor`` for each core dependency that applies on this platform: the
version of its ``>=`` (or ``~=``/``==``) specifier. A core dependency without a lower
bound is an error: every dependency must say the oldest release smmkit works with.

``--check`` instead compares the installed versions with the floors and fails on any
difference (pip's resolver or a global constraint file could have picked another).

Usage: ``python scripts/ci/floors.py > floors.txt`` then
``pip install -c floors.txt -e '.[test]'``; ``python scripts/ci/floors.py --check``.
Used by ``scripts/ci/floors.sh``.
"""

from __future__ import annotations

import sys
from importlib.metadata import requires, version

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version


def floors() -> dict[str, str]:
    """``{name: lowest declared version}`` for the core dependencies that apply here."""
    found: dict[str, str] = {}
    for line in requires("smmkit") or []:
        requirement = Requirement(line)
        if requirement.marker is not None and not requirement.marker.evaluate({"extra": ""}):
            continue  # an optional extra, or another platform (tzdata on Windows)
        lower = [
            spec.version for spec in requirement.specifier if spec.operator in (">=", "~=", "==")
        ]
        if not lower:
            raise SystemExit(f"core dependency without a floor: {line!r}")
        found[canonicalize_name(requirement.name)] = max(lower, key=Version)
    if not found:
        raise SystemExit("smmkit declares no core dependency: is it installed here?")
    return found


def main(argv: list[str]) -> int:
    """Print the pins, or with ``--check`` verify that the installed versions are the floors."""
    pins = floors()
    if argv[1:] == ["--check"]:
        wrong = {
            name: version(name)
            for name, floor in pins.items()
            if Version(version(name)) != Version(floor)
        }
        for name, installed in sorted(wrong.items()):
            print(f"{name}: installed {installed}, floor {pins[name]}", file=sys.stderr)
        print(", ".join(f"{name}=={version(name)}" for name in sorted(pins)))
        return 1 if wrong else 0
    for name, floor in sorted(pins.items()):
        print(f"{name}=={floor}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
