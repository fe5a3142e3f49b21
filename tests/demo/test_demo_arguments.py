"""The demo refuses malformed arguments before it starts (issue 15, item 4)."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest

from smmkit.demo import make_tea_brand_data, run_demo
from smmkit.exceptions import InvalidInputError


def fields_of(build: Callable[[], object]) -> tuple[str, ...]:
    with pytest.raises(InvalidInputError) as info:
        build()
    return info.value.fields


@pytest.mark.parametrize("seed", [{}, None, "7", 7.0, True, b"7", 2**64, -(2**70)], ids=repr)
def test_a_seed_must_be_an_int_of_at_most_64_bits(seed: Any) -> None:
    assert fields_of(lambda: make_tea_brand_data(seed)) == ("seed",)
    stream = io.StringIO()
    assert fields_of(lambda: run_demo(seed=seed, stream=stream, charts=False)) == ("seed",)
    assert stream.getvalue() == ""  # refused before anything was printed


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"stream": io.BytesIO()}, "stream"),
        ({"stream": "out.txt"}, "stream"),
        ({"stream": object()}, "stream"),
        ({"out": 3}, "out"),
        ({"out": ""}, "out"),
        ({"out": "a\0b"}, "out"),
        ({"charts": "no"}, "charts"),
        ({"charts": None}, "charts"),
    ],
)
def test_run_demo_refuses_malformed_arguments(kwargs: dict[str, Any], field: str) -> None:
    options: dict[str, Any] = {"seed": 7, "stream": io.StringIO(), "charts": False, **kwargs}
    assert fields_of(lambda: run_demo(**options)) == (field,)


def test_valid_seeds_still_draw_the_same_data() -> None:
    assert make_tea_brand_data(-3).seed == -3
    assert make_tea_brand_data(2**64 - 1).users == make_tea_brand_data(2**64 - 1).users
