"""Server-sent events (the ``text/event-stream`` format), parsed line by line; no I/O.

The format is the WHATWG HTML standard's: ``field: value`` lines, a blank line ends an
event, ``data`` lines join with newlines, a line starting with ``:`` is a comment
(Mastodon sends ``:thump`` heartbeats). Mastodon's streaming API names each event
(``update``, ``notification``, ``delete``, ...) and puts JSON (or a bare id) in ``data``.

Example:
    >>> parser = SseParser()
    >>> [e for line in ("event: delete", "data: 109", "") if (e := parser.feed(line))]
    [SseEvent(event='delete', data='109', id=None)]
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["SseEvent", "SseParser"]


@dataclass(frozen=True)
class SseEvent:
    """One dispatched event: its name (``message`` when unnamed), data and id.

    Example:
        >>> SseEvent(event="update", data='{"id": "1"}').event
        'update'
    """

    event: str
    data: str
    id: str | None = None


class SseParser:
    """Feed it lines (without their line ending); it returns each event as it completes.

    Example:
        >>> parser = SseParser()
        >>> lines = [":connected", "", "event: notification", 'data: {"id":', 'data: "1"}', ""]
        >>> [parser.feed(line) for line in lines][-1]
        SseEvent(event='notification', data='{"id":\\n"1"}', id=None)
    """

    __slots__ = ("_data", "_event", "_id", "comments")

    def __init__(self) -> None:
        self._event = ""
        self._data: list[str] = []
        self._id: str | None = None
        self.comments = 0
        """Comment lines seen (heartbeats): proof that the connection is alive."""

    def feed(self, line: str) -> SseEvent | None:
        """Take one line; return the event it completes (at a blank line), else ``None``."""
        if not line:
            return self._dispatch()
        if line.startswith(":"):
            self.comments += 1
            return None
        field, sep, value = line.partition(":")
        if sep and value.startswith(" "):
            value = value[1:]
        if field == "event":
            self._event = value
        elif field == "data":
            self._data.append(value)
        elif field == "id" and "\0" not in value:
            self._id = value
        return None  # "retry" and unknown fields are ignored, as the standard says

    def _dispatch(self) -> SseEvent | None:
        event, data = self._event, self._data
        self._event, self._data = "", []
        if not data:
            return None
        return SseEvent(event=event or "message", data="\n".join(data), id=self._id)
