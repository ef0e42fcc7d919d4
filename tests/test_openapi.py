"""The OpenAPI description (explorer/data/openapi.yaml) is a well-formed OpenAPI 3.1
document that matches the app: every /api route is described with its methods, every
described path and method exists, every $ref resolves, and the limits agree with the code."""

from __future__ import annotations

import copy
import re
from typing import Any

import pytest
import yaml

from explorer import packaged
from explorer.web.api import MAX_API_PER_PAGE, MAX_SUGGEST_LIMIT, OPENAPI_FILE, openapi_document
from tests.web_helpers import make_app, template_site

METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}
LOCATIONS = {"query", "path", "header", "cookie"}


def _raw() -> dict[str, Any]:
    return yaml.safe_load(packaged.resource(*OPENAPI_FILE).read_text(encoding="utf-8"))


def _resolve(doc: dict, ref: str) -> Any:
    if not ref.startswith("#/"):
        raise KeyError(ref)
    node: Any = doc
    for part in ref[2:].split("/"):
        node = node[part]
    return node


def _refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        found = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return found + [r for v in node.values() for r in _refs(v)]
    if isinstance(node, list):
        return [r for v in node for r in _refs(v)]
    return []


def problems(doc: dict) -> list[str]:
    """What is wrong with ``doc`` as an OpenAPI 3.1 description (empty: nothing)."""
    out: list[str] = []
    if not str(doc.get("openapi", "")).startswith("3.1"):
        out.append("openapi: must be 3.1.x")
    info = doc.get("info") or {}
    out += [f"info.{k}: missing" for k in ("title", "version") if not info.get(k)]
    paths = doc.get("paths")
    if not isinstance(paths, dict) or not paths:
        return [*out, "paths: missing"]
    for ref in _refs(doc):
        try:
            _resolve(doc, ref)
        except (KeyError, TypeError):
            out.append(f"$ref {ref}: does not resolve")
    schemes = set((doc.get("components") or {}).get("securitySchemes") or {})
    for path, item in paths.items():
        if not path.startswith("/"):
            out.append(f"{path}: must start with /")
        ops = {k: v for k, v in item.items() if k in METHODS}
        if not ops or set(item) - METHODS - {"parameters", "summary", "description"}:
            out.append(f"{path}: needs operations and nothing else ({sorted(item)})")
        placeholders = set(re.findall(r"{(\w+)}", path))
        for method, op in ops.items():
            where = f"{method.upper()} {path}"
            responses = op.get("responses") or {}
            if not any(str(code).startswith("2") for code in responses):
                out.append(f"{where}: no 2xx response")
            for code, response in responses.items():
                if not re.fullmatch(r"[1-5]\d\d|default", str(code)):
                    out.append(f"{where}: bad status {code}")
                if "$ref" not in response and not response.get("description"):
                    out.append(f"{where} {code}: a response needs a description")
            declared = set()
            for param in op.get("parameters", []):
                param = _resolve(doc, param["$ref"]) if "$ref" in param else param
                if not param.get("name") or param.get("in") not in LOCATIONS:
                    out.append(f"{where}: parameter needs a name and a valid 'in'")
                if "schema" not in param and "content" not in param:
                    out.append(f"{where}: parameter {param.get('name')} has no schema")
                if param.get("in") == "path":
                    declared.add(param["name"])
                    if param.get("required") is not True:
                        out.append(f"{where}: path parameter {param['name']} must be required")
            if declared != placeholders:
                out.append(f"{where}: path parameters {sorted(declared)} != {sorted(placeholders)}")
            for requirement in op.get("security", []):
                out += [f"{where}: unknown security scheme {name}"
                        for name in requirement if name not in schemes]
    return out


def _shape(path: str) -> str:
    """``/api/summaries/{id}`` and ``/api/summaries/<summary_id>`` alike: ``/api/summaries/{}``."""
    return re.sub(r"{\w+}", "{}", re.sub(r"<(?:\w+:)?\w+>", "{}", path))


@pytest.fixture(scope="module")
def app():
    return make_app(template_site())


def test_the_data_file_is_a_valid_openapi_document():
    assert problems(_raw()) == []


def test_served_document_is_the_data_file_with_the_version(app):
    served = app.test_client().get("/api/openapi.json").get_json()
    expected = _raw()
    expected["info"]["version"] = served["info"]["version"]
    assert served == expected
    from explorer import __version__

    assert served["info"]["version"] == __version__
    assert openapi_document() is not openapi_document()  # callers get their own copy


def test_every_api_route_is_described_and_every_description_is_a_route(app):
    routes: dict[str, set[str]] = {}
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/"):
            methods = {m.lower() for m in rule.methods or ()} - {"head", "options"}
            routes.setdefault(_shape(rule.rule), set()).update(methods)
    described = {_shape(path): {m for m in item if m in METHODS}
                 for path, item in _raw()["paths"].items()}
    assert described == routes


def test_limits_in_the_description_agree_with_the_code():
    doc = _raw()
    params = {p["name"]: p for p in doc["paths"]["/api/search"]["get"]["parameters"]}
    assert params["per_page"]["schema"]["maximum"] == MAX_API_PER_PAGE
    limit = doc["components"]["schemas"]["SuggestRequest"]["properties"]["limit"]
    assert limit["maximum"] == MAX_SUGGEST_LIMIT


@pytest.mark.parametrize(
    "damage, expected",
    [
        (lambda d: d["paths"]["/api/search"]["get"]["responses"]["200"]["content"]
         ["application/json"]["schema"].update({"$ref": "#/components/schemas/Nope"}),
         "does not resolve"),
        (lambda d: d["paths"]["/api/summaries/{id}"]["get"].update(parameters=[]),
         "path parameters"),
        (lambda d: d["paths"]["/api/topics"]["get"].update(responses={"404": {}}), "no 2xx"),
        (lambda d: d["paths"]["/api/suggest"]["post"].update(security=[{"magic": []}]),
         "unknown security scheme"),
        (lambda d: d.update(openapi="2.0"), "3.1"),
    ],
)
def test_the_checker_itself_catches_a_broken_document(damage, expected):
    doc = copy.deepcopy(_raw())
    damage(doc)
    assert any(expected in p for p in problems(doc)), problems(doc)
