"""The OpenAPI description at /api/v1/openapi.json: public, valid, and complete for the API."""
from __future__ import annotations

import re

import pytest
from openapi_spec_validator import validate

PREFIX = "/api/v1"
DOCUMENT_PATH = PREFIX + "/openapi.json"

# The contract's table: each call and the statuses it lists.
CONTRACT_CALLS = [
    ("post", "/auth/token", {200, 401}),
    ("get", "/processes", {200}),
    ("get", "/opds", {200}),
    ("post", "/datasets", {201, 400, 403, 413, 422}),
    ("get", "/datasets", {200}),
    ("post", "/files", {201, 413, 422}),
    ("post", "/instances", {201, 403, 422}),
    ("get", "/instances/{id}", {200, 404}),
    ("get", "/tasks", {200}),
    ("get", "/tasks/{id}", {200, 403, 404}),
    ("post", "/tasks/{id}/claim", {200, 403, 409}),
    ("post", "/tasks/{id}/complete", {200, 403, 409, 422}),
    ("get", "/publications", {200}),
    ("post", "/processes/{process_id}/versions", {201, 403, 413, 422}),
]


@pytest.fixture
def document(client):
    response = client.get(DOCUMENT_PATH)  # no Authorization header
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    return response.get_json()


def openapi_path(rule: str) -> str:
    """/api/v1/tasks/<task_id>/claim -> /tasks/{task_id}/claim, relative to the server URL."""
    assert rule.startswith(PREFIX)
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule[len(PREFIX):])


def shape(path: str) -> str:
    """A path with its parameter names erased, to compare with the contract's {id}."""
    return re.sub(r"\{[^}]+\}", "{}", path)


def find_path(paths: dict, contract_path: str) -> str:
    matches = [p for p in paths if shape(p) == shape(contract_path)]
    assert len(matches) == 1, (contract_path, sorted(paths))
    return matches[0]


def test_served_without_login_as_openapi_3_1(document):
    assert document["openapi"].startswith("3.1")
    validate(document)  # raises on an invalid document


def test_server_url_is_the_api_prefix(document):
    assert [s["url"] for s in document["servers"]] == [PREFIX]


def test_every_api_route_is_described_with_its_methods(app, document):
    paths = document["paths"]
    seen = set()
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith(PREFIX + "/") or rule.rule == DOCUMENT_PATH:
            continue
        path = openapi_path(rule.rule)
        assert path in paths, f"{rule.rule} is missing from the document as {path}"
        methods = {m.lower() for m in rule.methods} - {"head", "options"}
        assert methods, rule.rule
        for method in methods:
            assert method in paths[path], f"{method.upper()} {path} is not described"
        # Path parameters named in the URL are declared by the operation or the path item.
        for name in re.findall(r"\{([^}]+)\}", path):
            for method in methods:
                declared = [p for p in paths[path].get("parameters", []) + paths[path][method].get("parameters", [])
                            if p.get("in") == "path"]
                assert name in {p["name"] for p in declared}, (method, path, name)
        seen.add(path)
    # The check above must have looked at the API, not at nothing.
    assert {"/auth/token", "/datasets", "/files", "/tasks/{task_id}/complete"} <= seen


def test_document_describes_no_route_that_does_not_exist(app, document):
    routes = {}
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith(PREFIX + "/"):
            routes.setdefault(openapi_path(rule.rule), set()).update(m.lower() for m in rule.methods)
    for path, item in document["paths"].items():
        assert path in routes, f"{path} is described but not served"
        for method in set(item) & {"get", "post", "put", "patch", "delete"}:
            assert method in routes[path], f"{method.upper()} {path} is described but not served"


@pytest.mark.parametrize("method, path, statuses", CONTRACT_CALLS,
                         ids=[f"{m.upper()} {p}" for m, p, _ in CONTRACT_CALLS])
def test_contract_calls_and_statuses_are_described(document, method, path, statuses):
    described = find_path(document["paths"], path)
    operation = document["paths"][described].get(method)
    assert operation is not None, f"{method.upper()} {described} is not described"
    responses = {int(code) for code in operation["responses"] if code.isdigit()}
    missing = statuses - responses
    assert not missing, f"{method.upper()} {described} lacks responses {sorted(missing)}"


def test_error_responses_use_the_error_shape(document):
    error = document["components"]["schemas"]["Error"]
    inner = error["properties"]["error"]
    assert set(inner["required"]) == {"code", "message", "fields"}
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            for code, response in operation["responses"].items():
                if code.isdigit() and int(code) >= 400:
                    schema = response["content"]["application/json"]["schema"]
                    assert schema == {"$ref": "#/components/schemas/Error"}, (method, path, code)


def test_secured_calls_declare_the_bearer_scheme(document):
    schemes = document["components"]["securitySchemes"]
    bearer = [name for name, s in schemes.items() if s.get("type") == "http" and s.get("scheme") == "bearer"]
    assert bearer
    public = {("post", "/auth/token"), ("get", "/publications"), ("get", "/complaints/form-token"),
              ("post", "/complaints"), ("get", "/complaints/{ticket}")}
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            security = operation.get("security", document.get("security", []))
            if (method, path) in public:
                assert not security, (method, path)
            else:
                assert any(set(req) & set(bearer) for req in security), (method, path)
                assert "401" in operation["responses"], (method, path)
