"""Requests checked against the platforms' own OpenAPI documents, with openapi-core.

:func:`load_contract` reads a document from ``../shared/contracts`` with the
specification's self-validation turned off (both documents have small defects) and the
known defects patched; :class:`ContractChecker` validates one ``httpx.Request`` (method,
path, query, headers, body) with openapi-core's request validator, and then checks the
query keys explicitly, because a validator lets keys the operation does not declare
through.
"""

from __future__ import annotations

import json
import re
import warnings
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import httpx
from openapi_core import Config, OpenAPI
from openapi_core.datatypes import RequestParameters
from werkzeug.datastructures import Headers, ImmutableMultiDict

Patch = Callable[[dict[str, Any]], None]


def contracts_dir() -> Path:
    """``../shared/contracts`` seen from the repository root."""
    return Path(__file__).resolve().parents[2].parent / "shared" / "contracts"


def mastodon_idempotency_key_is_a_string(spec: dict[str, Any]) -> None:
    """The Mastodon document types the ``Idempotency-Key`` header as an object; it is a
    string (docs.joinmastodon.org/methods/statuses/#create: "any arbitrary string")."""
    for item in spec["paths"].values():
        for operation in item.values():
            if not isinstance(operation, dict):
                continue
            for parameter in operation.get("parameters", ()):
                if parameter.get("in") == "header" and parameter.get("name") == "Idempotency-Key":
                    parameter["schema"] = {"type": "string", "minLength": 1}


def x_multipart_segment_index(spec: dict[str, Any]) -> None:
    """A multipart text part is a string on the wire (OpenAPI 3.0, *Encoding Object*:
    primitive properties are sent as ``text/plain``) and openapi-core does not cast it by
    the schema: for the multipart form of ``append`` only, ``segment_index`` is the
    digits of a whole number from 0 to 999 (the JSON form keeps the integer)."""
    schemas = spec["components"]["schemas"]
    multipart = json.loads(json.dumps(schemas["AppendMediaUploadRequest"]))
    multipart["properties"]["segment_index"] = {"type": "string", "pattern": r"^[0-9]{1,3}$"}
    schemas["AppendMediaUploadMultipart"] = multipart
    body = spec["paths"]["/2/media/upload/{id}/append"]["post"]["requestBody"]
    body["content"]["multipart/form-data"]["schema"] = {
        "$ref": "#/components/schemas/AppendMediaUploadMultipart"
    }


def mastodon_status_text_and_media(spec: dict[str, Any]) -> None:
    """The status body is ``oneOf`` a text status and a media status, so a status with
    both text and media (which Mastodon takes) matches two options and fails: ``anyOf``."""
    body = spec["paths"]["/api/v1/statuses"]["post"]["requestBody"]["content"]
    for media in body.values():
        schema = media.get("schema", {})
        if "oneOf" in schema:
            schema["anyOf"] = schema.pop("oneOf")


def binary_parts_are_bytes(spec: dict[str, Any]) -> None:
    """openapi-core hands a multipart file part over as ``bytes``, which an OpenAPI 3.1
    ``type: string`` refuses: a ``format: binary`` property accepts the bytes."""

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == "string" and node.get("format") == "binary":
                node.pop("type")
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    for item in spec["paths"].values():
        for operation in item.values():
            if isinstance(operation, dict):
                content = (operation.get("requestBody") or {}).get("content", {})
                walk(content.get("multipart/form-data", {}))


def any_host(spec: dict[str, Any]) -> None:
    """Serve the document from any host (a test instance is not ``mastodon.example``)."""
    spec["servers"] = [{"url": "/"}]


def load_contract(name: str, patches: Iterable[Patch] = ()) -> tuple[OpenAPI, dict[str, Any]]:
    """The document ``name`` as an openapi-core ``OpenAPI`` (and as data), patched."""
    spec: dict[str, Any] = json.loads((contracts_dir() / name).read_text(encoding="utf-8"))
    for patch in patches:
        patch(spec)
    return OpenAPI.from_dict(spec, config=Config(spec_validator_cls=None)), spec


class HttpxOpenAPIRequest:
    """An ``httpx.Request`` in the shape openapi-core reads (its ``Request`` protocol)."""

    def __init__(self, request: httpx.Request) -> None:
        self._request = request
        query = parse_qs(request.url.query.decode("ascii"), keep_blank_values=True)
        self.parameters = RequestParameters(
            query=ImmutableMultiDict(query),
            header=Headers(list(request.headers.items())),
            cookie=ImmutableMultiDict(),
        )

    @property
    def host_url(self) -> str:
        return f"{self._request.url.scheme}://{self._request.url.netloc.decode('ascii')}"

    @property
    def path(self) -> str:
        return self._request.url.path

    @property
    def method(self) -> str:
        return self._request.method.lower()

    @property
    def body(self) -> bytes | None:
        content = self._request.content
        return content or None

    @property
    def content_type(self) -> str:
        return str(self._request.headers.get("content-type", ""))


@dataclass
class ContractChecker:
    """Validates requests against one OpenAPI document; keeps what it found wrong.

    ``hosts`` are the API's hosts (requests elsewhere, such as media downloads, are not
    the API's); ``outside`` lists ``(METHOD, path)`` the API serves but the document
    does not describe as a path (X's OAuth token endpoint lives in its security scheme).
    """

    openapi: OpenAPI
    spec: dict[str, Any]
    hosts: frozenset[str]
    outside: frozenset[tuple[str, str]] = frozenset()
    problems: list[str] = field(default_factory=list)
    checked: int = 0

    def check(self, request: httpx.Request) -> list[str]:
        """What is wrong with ``request`` (also appended to ``problems``)."""
        if request.url.host not in self.hosts:
            return []
        if (request.method, request.url.path) in self.outside:
            return []
        self.checked += 1
        found: list[str] = []
        try:
            with warnings.catch_warnings():
                # openapi-core checks http schemes only; oauth2 ones are checked below
                warnings.filterwarnings("ignore", "Unsupported scheme type", UserWarning)
                self.openapi.validate_request(HttpxOpenAPIRequest(request))
        except Exception as exc:  # openapi-core's validation errors, with their causes
            found.append(_describe(exc))
        template, operation = self.operation(request)
        if operation is not None:
            secured = operation.get("security", self.spec.get("security"))
            if secured and not request.headers.get("authorization", "").startswith("Bearer "):
                found.append("no bearer token although the operation is secured")
            declared = {
                p["name"] for p in self._parameters(template, operation) if p["in"] == "query"
            }
            unknown = sorted(set(request.url.params.keys()) - declared)
            if unknown:
                found.append(f"query keys not in the contract: {unknown}")
        where = f"{request.method} {request.url.path}"
        self.problems.extend(f"{where}: {p}" for p in found)
        return found

    def operation(self, request: httpx.Request) -> tuple[str, dict[str, Any] | None]:
        """The path template and operation ``request`` is for (the most literal match)."""
        matches = []
        for template, item in self.spec["paths"].items():
            pattern = "^" + re.sub(r"\{[^}]+\}", "[^/]+", template) + "$"
            if re.match(pattern, request.url.path) and request.method.lower() in item:
                matches.append((template.count("{"), template))
        if not matches:
            return "", None
        template = min(matches)[1]
        return template, dict(self.spec["paths"][template][request.method.lower()])

    def _parameters(self, template: str, operation: Mapping[str, Any]) -> list[dict[str, Any]]:
        shared = self.spec["paths"][template].get("parameters", [])
        resolved = []
        for given in [*shared, *operation.get("parameters", [])]:
            parameter = given
            if "$ref" in given:
                name = given["$ref"].rsplit("/", 1)[1]
                parameter = self.spec["components"]["parameters"][name]
            resolved.append(dict(parameter))
        return resolved


def _describe(exc: BaseException) -> str:
    parts = [f"{type(exc).__name__}: {exc}"]
    cause = exc.__cause__ or exc.__context__
    seen = 0
    while cause is not None and seen < 4:
        details = getattr(cause, "schema_errors", None)
        if details:
            parts.extend(f"{e.message} at {list(e.absolute_path)}" for e in details)
        else:
            parts.append(f"{type(cause).__name__}: {cause}")
        cause = cause.__cause__ or cause.__context__
        seen += 1
    return "; ".join(parts)[:800]
