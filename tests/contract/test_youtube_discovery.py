"""YouTube: every request the YouTube client suite sends, checked against Google's
discovery document for the Data API v3.

The document is the one google-api-python-client ships
(``googleapiclient/discovery_cache/documents/youtube.v3.json``; the ``test`` extra pins
2.202.0, whose copy is revision 20261104). The whole of
``tests/platforms/test_youtube.py`` (the conformance suite included) runs again here
with a hook on the fake server that checks each request: method and path against the
document's methods (the upload path from ``mediaUpload``), every query key known to the
method or to the API's global parameters, required ones present, enums and types,
``part`` naming parts of the resource, the JSON body against the request schema with
unknown keys refused, and the resumable session's ``Content-Range`` (chunks a multiple
of 256 KiB but the last). Skips, saying why, only when the package is not importable.
"""

from __future__ import annotations

import functools
import importlib.resources
import json
import re
from datetime import datetime
from typing import Any

import httpx
import pytest

googleapiclient = pytest.importorskip(
    "googleapiclient",
    reason="google-api-python-client (test extra, pinned 2.202.0) is not installed: "
    "its discovery document for YouTube is the contract",
)

from tests.platforms import test_youtube as suite  # noqa: E402
from tests.platforms.youtube_fake import FakeYouTube  # noqa: E402

# The client suite, collected here as well (its tests, its fixture, its conformance class).
globals().update(
    {
        name: value
        for name, value in vars(suite).items()
        if name.startswith(("test_", "server", "TestYouTube"))
    }
)

HOSTS = frozenset({"www.googleapis.com", "youtube.googleapis.com"})
GRANULE = 256 * 1024
_TYPES: dict[str, Any] = {"string": str, "boolean": bool, "object": dict, "array": list}


@pytest.fixture(params=["sync", "async"])
def kind(request: pytest.FixtureRequest) -> str:
    """The driver (tests/platforms' own fixture, repeated: this file needs no conftest)."""
    return str(request.param)


@functools.cache
def discovery() -> dict[str, Any]:
    """The discovery document of youtube v3 shipped with google-api-python-client."""
    documents = importlib.resources.files("googleapiclient.discovery_cache.documents")
    loaded: dict[str, Any] = json.loads(documents.joinpath("youtube.v3.json").read_text("utf-8"))
    return loaded


class DiscoveryChecker:
    """Checks ``httpx.Request``\\ s against a Google discovery document."""

    def __init__(self, document: dict[str, Any]) -> None:
        self.doc = document
        self.schemas: dict[str, Any] = document["schemas"]
        self.globals: dict[str, Any] = document["parameters"]
        base = "/" + document["servicePath"]
        self.routes: dict[tuple[str, str], tuple[str, dict[str, Any]]] = {}
        for resource, spec in document["resources"].items():
            for name, method in spec.get("methods", {}).items():
                key = (method["httpMethod"], base + method["path"])
                self.routes[key] = (f"{resource}.{name}", method)
                upload = method.get("mediaUpload", {}).get("protocols", {})
                for protocol in upload.values():
                    self.routes[(method["httpMethod"], protocol["path"])] = (
                        f"{resource}.{name}",
                        method,
                    )
        self.checked: set[str] = set()
        self.problems: list[str] = []

    # -- the parts -------------------------------------------------------------------

    def check(self, request: httpx.Request) -> list[str]:
        """Every way ``request`` departs from the document (empty when it conforms)."""
        problems: list[str] = []
        if request.url.host in {"cdn.example", "oauth2.googleapis.com"}:
            return problems  # a media download and the OAuth token endpoint: not the API
        if request.url.scheme != "https" or request.url.host not in HOSTS:
            problems.append(f"host {request.url.host} is not the API's")
        path = request.url.path
        if request.method == "PUT" and "upload_id" in request.url.params:
            problems += self._session(request)
            self.checked.add("videos.insert (session)")
        else:
            route = self.routes.get((request.method, path))
            if route is None:
                problems.append(f"{request.method} {path} is no method of the document")
            else:
                name, method = route
                self.checked.add(name)
                problems += self._query(name, method, request)
                problems += self._body(name, method, request)
                if "mediaUpload" in method and path.startswith("/upload"):
                    problems += self._upload_start(method, request)
        self.problems += problems
        return problems

    def _query(self, name: str, method: dict[str, Any], request: httpx.Request) -> list[str]:
        problems = []
        params = method.get("parameters", {})
        keys = list(request.url.params.keys())
        if len(keys) != len(set(keys)) and not all(
            params.get(k, {}).get("repeated") for k in keys if keys.count(k) > 1
        ):
            problems.append(f"{name}: a key repeated that is not repeatable")
        for key in set(keys):
            spec = params.get(key) or self.globals.get(key)
            if spec is None:
                problems.append(f"{name}: unknown query key {key!r}")
                continue
            values = request.url.params.get_list(key)
            if spec.get("repeated"):
                values = [v for value in values for v in value.split(",")]
            for value in values:
                problem = _value_problem(spec, value)
                if problem:
                    problems.append(f"{name}: {key}={value!r} {problem}")
        for key, spec in params.items():
            if spec.get("required") and key not in request.url.params:
                problems.append(f"{name}: required query key {key!r} missing")
        if "part" in request.url.params:
            allowed = self._parts(method)
            for part in request.url.params["part"].split(","):
                if part not in allowed:
                    problems.append(f"{name}: part {part!r} is not a part of the resource")
        return problems

    def _parts(self, method: dict[str, Any]) -> set[str]:
        ref = (method.get("request") or method.get("response") or {}).get("$ref", "")
        schema = self.schemas.get(ref, {})
        if "items" in schema.get("properties", {}):  # a list response: its items' resource
            ref = schema["properties"]["items"]["items"]["$ref"]
            schema = self.schemas[ref]
        return set(schema.get("properties", {})) - {"kind", "etag"}

    def _body(self, name: str, method: dict[str, Any], request: httpx.Request) -> list[str]:
        ref = (method.get("request") or {}).get("$ref")
        if ref is None:
            return [f"{name}: a body where the method takes none"] if request.content else []
        try:
            body = json.loads(request.content)
        except ValueError:
            return [f"{name}: the body is not JSON"]
        problems = self._schema(f"{name} body", {"$ref": ref}, body)
        parts = set(request.url.params.get("part", "").split(","))
        for key in body if isinstance(body, dict) else ():
            if key not in {"id", "kind"} and key not in parts:
                problems.append(f"{name}: body part {key!r} is not listed in part=")
        return problems

    def _schema(self, where: str, spec: dict[str, Any], value: Any) -> list[str]:
        if "$ref" in spec:
            spec = self.schemas[spec["$ref"]]
        kind = spec.get("type")
        if kind == "object" and "properties" in spec:
            if not isinstance(value, dict):
                return [f"{where}: expected an object"]
            problems = []
            for key, item in value.items():
                inner = spec["properties"].get(key)
                if inner is None:
                    problems.append(f"{where}: unknown key {key!r}")
                else:
                    problems += self._schema(f"{where}.{key}", inner, item)
            return problems
        if kind == "array":
            if not isinstance(value, list):
                return [f"{where}: expected an array"]
            return [
                p
                for i, v in enumerate(value)
                for p in self._schema(f"{where}.{i}", spec["items"], v)
            ]
        if kind in _TYPES and not isinstance(value, _TYPES[kind]):
            return [f"{where}: expected {kind}, got {type(value).__name__}"]
        if kind == "integer" and (isinstance(value, bool) or not isinstance(value, int)):
            return [f"{where}: expected an integer"]
        if "enum" in spec and value not in spec["enum"]:
            return [f"{where}: {value!r} is not one of {spec['enum']}"]
        if spec.get("format") == "date-time":
            try:
                datetime.fromisoformat(str(value).replace("Z", "+00:00"))
            except ValueError:
                return [f"{where}: {value!r} is not an RFC 3339 date-time"]
        return []

    def _upload_start(self, method: dict[str, Any], request: httpx.Request) -> list[str]:
        problems = []
        if request.url.params.get("uploadType") != "resumable":
            problems.append("videos.insert upload: uploadType must be resumable")
        length = request.headers.get("x-upload-content-length", "")
        if not length.isdigit() or int(length) > int(method["mediaUpload"]["maxSize"]):
            problems.append("videos.insert upload: X-Upload-Content-Length missing or too big")
        mime = request.headers.get("x-upload-content-type", "")
        accept = method["mediaUpload"]["accept"]
        if not any(re.fullmatch(a.replace("*", "[^/]+"), mime) for a in accept):
            problems.append(f"videos.insert upload: type {mime!r} not in {accept}")
        return problems

    def _session(self, request: httpx.Request) -> list[str]:
        problems = []
        if request.url.path != "/upload/youtube/v3/videos":
            problems.append("session PUT not to the upload path")
        extra = set(request.url.params.keys()) - {"uploadType", "upload_id"}
        if extra:
            problems.append(f"session PUT with other query keys {sorted(extra)}")
        spec = request.headers.get("content-range", "")
        query = re.fullmatch(r"bytes \*/(\d+)", spec)
        chunk = re.fullmatch(r"bytes (\d+)-(\d+)/(\d+)", spec)
        if query:
            if request.content:
                problems.append("a status query carries no bytes")
        elif chunk:
            first, last, total = (int(x) for x in chunk.groups())
            size = len(request.content)
            if size != last - first + 1 or last >= total:
                problems.append(f"Content-Range {spec} does not match {size} bytes")
            if last != total - 1 and size % GRANULE:
                problems.append(f"a chunk of {size} bytes (not the last): not a 256 KiB multiple")
        else:
            problems.append(f"Content-Range {spec!r} is neither bytes */N nor bytes A-B/N")
        return problems


def _value_problem(spec: dict[str, Any], value: str) -> str | None:
    if "enum" in spec and value not in spec["enum"]:
        return f"is not one of {spec['enum']}"
    kind = spec.get("type")
    if kind == "boolean" and value not in ("true", "false"):
        return "is not a boolean"
    if kind == "integer":
        if not value.isdigit():
            return "is not an integer"
        low, high = spec.get("minimum"), spec.get("maximum")
        if (low is not None and int(value) < int(low)) or (
            high is not None and int(value) > int(high)
        ):
            return f"is outside {low}..{high}"
    return None


@functools.cache
def checker() -> DiscoveryChecker:
    return DiscoveryChecker(discovery())


@pytest.fixture(autouse=True)
def contract_hook(monkeypatch: pytest.MonkeyPatch) -> DiscoveryChecker:
    """Check every request that reaches the fake YouTube; fail on the first violation."""
    check = checker()
    answer = FakeYouTube.answer

    def checked(self: FakeYouTube, request: httpx.Request) -> httpx.Response:
        problems = check.check(request)
        assert not problems, problems
        return answer(self, request)

    monkeypatch.setattr(FakeYouTube, "answer", checked)
    return check


# -- the checker itself -----------------------------------------------------------------


def test_the_document_is_the_pinned_one() -> None:
    doc = discovery()
    assert (doc["name"], doc["version"]) == ("youtube", "v3")
    assert (
        "resumable" in doc["resources"]["videos"]["methods"]["insert"]["mediaUpload"]["protocols"]
    )


@pytest.mark.parametrize(
    ("request_", "problem"),
    [
        (httpx.Request("GET", "https://www.googleapis.com/youtube/v3/videos",
                       params={"part": "statistics", "id": "v", "colour": "red"}),
         "unknown query key 'colour'"),
        (httpx.Request("GET", "https://www.googleapis.com/youtube/v3/commentThreads",
                       params={"part": "snippet", "videoId": "v", "textFormat": "rtf"}),
         "is not one of"),
        (httpx.Request("GET", "https://www.googleapis.com/youtube/v3/videos",
                       params={"id": "v"}), "required query key 'part' missing"),
        (httpx.Request("GET", "https://www.googleapis.com/youtube/v3/videos",
                       params={"part": "stats", "id": "v"}), "is not a part"),
        (httpx.Request("POST", "https://www.googleapis.com/youtube/v3/comments",
                       params={"part": "snippet"},
                       json={"snippet": {"parentId": "c", "text": "hi"}}), "unknown key 'text'"),
        (httpx.Request("POST", "https://www.googleapis.com/youtube/v3/commentThreads",
                       params={"part": "id"}, json={"snippet": {"videoId": "v"}}),
         "not listed in part"),
        (httpx.Request("POST", "https://www.googleapis.com/upload/youtube/v3/videos",
                       params={"uploadType": "resumable", "part": "snippet,status"},
                       json={"status": {"privacyStatus": "friends"}},
                       headers={"X-Upload-Content-Length": "5",
                                "X-Upload-Content-Type": "video/mp4"}), "is not one of"),
        (httpx.Request("PUT", "https://www.googleapis.com/upload/youtube/v3/videos",
                       params={"uploadType": "resumable", "upload_id": "u"},
                       content=b"x" * 1000, headers={"Content-Range": "bytes 0-999/5000"}),
         "not a 256 KiB multiple"),
        (httpx.Request("DELETE", "https://www.googleapis.com/youtube/v3/video",
                       params={"id": "v"}), "no method of the document"),
    ],
)  # fmt: skip
def test_the_checker_refuses_what_the_document_refuses(
    request_: httpx.Request, problem: str
) -> None:
    found = DiscoveryChecker(discovery()).check(request_)
    assert any(problem in p for p in found), found


def test_every_method_the_client_uses_is_checked() -> None:
    # Runs last in this module's order of definition: the suite above has gone through
    # the checker by now; this names what it must have covered.
    if not checker().checked:
        pytest.skip("run with the whole module: the suite fills the checker")
    assert checker().checked >= {
        "videos.insert",
        "videos.insert (session)",
        "videos.list",
        "videos.delete",
        "channels.list",
        "playlistItems.list",
        "playlistItems.insert",
        "commentThreads.list",
        "commentThreads.insert",
        "comments.list",
        "comments.insert",
    }
    assert checker().problems == []
