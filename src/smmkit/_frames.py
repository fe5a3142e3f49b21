"""Notebook helpers shared by result types: pandas frames and HTML tables.

pandas is an optional extra, imported only when a frame is asked for; the HTML is
plain and escaped, so results render in Jupyter without any extra.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from html import escape
from typing import Any

from smmkit.exceptions import MissingExtraError

__all__ = ["html_table", "records_frame", "require_pandas"]


def require_pandas() -> Any:
    """The pandas module, or :class:`~smmkit.exceptions.MissingExtraError` naming the extra.

    Example:
        >>> require_pandas().__name__
        'pandas'
    """
    try:
        import pandas as pd
    except ImportError:
        raise MissingExtraError("pandas", extra="pandas") from None
    return pd


def records_frame(records: Iterable[Mapping[str, Any]], columns: Sequence[str]) -> Any:
    """A pandas DataFrame from row mappings, with ``columns`` in that order.

    Raises :class:`~smmkit.exceptions.MissingExtraError` naming the ``pandas`` extra
    when pandas is not installed.

    Example:
        >>> frame = records_frame([{"a": 1, "b": "x"}], ["a", "b"])
        >>> list(frame.columns), int(frame["a"][0])
        (['a', 'b'], 1)
    """
    return require_pandas().DataFrame.from_records(
        [dict(r) for r in records], columns=list(columns)
    )


def html_table(caption: str, headers: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """An escaped HTML table for ``_repr_html_``.

    Example:
        >>> html_table("t", ["a"], [["<b>"]])
        '<table><caption>t</caption><tr><th>a</th></tr><tr><td>&lt;b&gt;</td></tr></table>'
    """
    head = "".join(f"<th>{escape(str(h))}</th>" for h in headers)
    body = "".join(
        "<tr>" + "".join(f"<td>{escape(str(c))}</td>" for c in row) + "</tr>" for row in rows
    )
    return f"<table><caption>{escape(caption)}</caption><tr>{head}</tr>{body}</table>"
