"""Properties of the demo, smmkit.testing and the models' functions.

A probe's ``regressions`` are inputs that once escaped as untyped errors (a seed, a
stream or a fault list of the wrong type, a naive ``now``): each is tried first on every
example and must be refused with a typed error.
"""

from __future__ import annotations

import io
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from tests.properties._support import (
    Probe,
    covers,
    fast,
    isolated_registries,
    junk,
    kw,
    probe_params,
    run_probe,
)

from smmkit.models import PostExtras


def _valid_demo_arg(name: str, value: Any) -> bool:
    if name == "seed":
        return isinstance(value, int) and not isinstance(value, bool)
    if name == "stream":
        return isinstance(value, io.StringIO)
    if name == "out":
        return value is None
    return value is False


MISC: dict[str, Probe] = {
    "smmkit.demo.make_tea_brand_data": Probe(
        regressions=((({},), {}), ((2**70,), {}), ((True,), {})),
        # a valid seed costs ~0.3 s: mostly malformed ones
        args=st.tuples(st.tuples(st.one_of(junk, junk, junk, st.integers(0, 99))), st.just({})),
    ),
    "smmkit.demo.run_demo": Probe(
        regressions=(
            ((), {"seed": {}, "stream": io.StringIO(), "charts": False}),
            ((), {"stream": io.BytesIO(), "charts": False}),
            ((), {"out": 3, "stream": io.StringIO(), "charts": False}),
        ),
        # a run costs ~2 s: only malformed arguments, which must be refused before it starts
        args=kw(
            seed=st.one_of(junk, st.just(7)),
            stream=st.one_of(st.builds(io.StringIO), junk),
            out=st.one_of(st.none(), junk),
            charts=st.one_of(st.just(False), junk),
        ).filter(lambda call: any(not _valid_demo_arg(k, v) for k, v in call[1].items())),
    ),
    "smmkit.demo.DemoResult": Probe(),
    "smmkit.demo.TeaBrandData": Probe(),
    "smmkit.testing.AdapterConformance": Probe(),
    "smmkit.testing.CountingTokenEndpoint": Probe(regressions=(((None,), {}),)),
    "smmkit.testing.FakePlatform": Probe(),
    "smmkit.testing.FaultInjectingTransport": Probe(
        regressions=(((None, None), {}), ((None, "timeout"), {}), ((None, [10**5000]), {}))
    ),
    "smmkit.testing.RecordingTransport": Probe(),
    "smmkit.testing.client_for": Probe(),
    "smmkit.testing.drive": Probe(
        regressions=((("sync", None, None), {}), (("threads", None, len), {}))
    ),
    "smmkit.testing.run_flow": Probe(
        regressions=(((None, None), {"now": datetime(2026, 1, 1)}), ((None, len), {}))
    ),
    "smmkit.models.as_utc": Probe(
        regressions=(((None,), {}), ((datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=1))),), {}))
    ),
    "smmkit.models.extras_model_for": Probe(
        check=lambda result, *a, **k: issubclass(result, PostExtras)
    ),
    "smmkit.models.register_extras": Probe(),
    "smmkit.models.extras.registered_extras": Probe(
        check=lambda result: {"wechat_oa", "mastodon"} <= set(result)
    ),
}


@pytest.mark.parametrize("name", probe_params(MISC))
@fast(20)
@given(data=st.data())
@covers(*MISC)
def test_misc(name: str, data: st.DataObject) -> None:
    with isolated_registries():
        run_probe(name, MISC[name], data)
