"""The tea-brand case from the playbook, run end to end on offline data.

``smmkit demo`` calls :func:`run_demo`; so can a notebook. Each section is a
small function that uses only the public API, so the demo doubles as a worked
example of every discipline.
"""

from __future__ import annotations

from smmkit.demo._run import DemoResult, run_demo

__all__ = ["DemoResult", "run_demo"]
