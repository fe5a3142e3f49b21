"""The tea-brand case from the playbook, run end to end on offline data.

``smmkit demo`` calls :func:`run_demo`; so can a notebook. :func:`make_tea_brand_data`
gives the same seeded data to explore by hand. Each section is a small function that
uses only the public API, so the demo doubles as a worked example of every discipline.

Example:
    >>> data = make_tea_brand_data(seed=3)
    >>> len(data.pieces), sorted({u.platform for u in data.users})
    (3, ['douyin', 'wecom', 'weibo', 'xiaohongshu'])
"""

from __future__ import annotations

from smmkit import _public
from smmkit.demo._data import TeaBrandData, make_tea_brand_data
from smmkit.demo._run import DemoResult, run_demo

__all__ = ["DemoResult", "TeaBrandData", "make_tea_brand_data", "run_demo"]

_public.set_public_module(globals(), __all__, __name__)
