"""The OpenAPI 3 description of /api/v1, served at /api/v1/openapi.json."""
from __future__ import annotations

from typing import Any

from flask import jsonify

from app.catalog.data_templates import COLUMNS_SCHEMA
from app.catalog.datasets import STATUSES
from app.complaints.operations import STATUS_LABELS
from app.web.api import blueprint

bp = blueprint("openapi", __name__)


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict[str, Any], description: str = "OK") -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _errors(*statuses: int) -> dict[str, Any]:
    texts = {400: "Permintaan tidak dapat dibaca", 401: "Tanpa token yang valid",
             403: "Peran tidak mengizinkan", 404: "Tidak ditemukan", 409: "Konflik dengan keadaan saat ini",
             413: "Terlalu besar", 422: "Isian tidak valid; `fields` menyebut setiap isian",
             429: "Terlalu banyak percobaan masuk yang gagal untuk nama pengguna atau alamat ini "
                  "(kode `too_many_requests`)"}
    return {str(s): _json(_ref("Error"), texts[s]) for s in statuses}


def _page(item: str) -> dict[str, Any]:
    return {"type": "object", "required": ["items", "total", "page", "per_page"], "properties": {
        "items": {"type": "array", "items": _ref(item)}, "total": {"type": "integer"},
        "page": {"type": "integer"}, "per_page": {"type": "integer"}}}


PAGING = [{"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1}},
          {"name": "per_page", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 100}}]
SECURED = [{"bearer": []}]
TASK_ID = {"name": "task_id", "in": "path", "required": True, "schema": {"type": "string"}}
DATASET_ID = {"name": "dataset_id", "in": "path", "required": True, "schema": {"type": "integer"}}
DATASET_STATUS = {"type": "string", "enum": list(STATUSES),
                  "description": "draft → submitted (to the walidata) → ready, or returned with a reason"}
NULLABLE_TIME = {"type": ["string", "null"], "format": "date-time"}
TIME = {"type": "string", "format": "date-time"}
TIMELINESS = {"type": "string", "enum": ["on_time", "near_due", "overdue"],
              "description": "near_due: less than 2 service hours left"}
MULTIPART_FILE = {"type": "string", "format": "binary"}

SCHEMAS: dict[str, Any] = {
    "Error": {"type": "object", "required": ["error"], "properties": {"error": {
        "type": "object", "required": ["code", "message", "fields"], "properties": {
            "code": {"type": "string"}, "message": {"type": "string"},
            "fields": {"type": "object", "additionalProperties": {"type": "string"}}}}}},
    "Opd": {"type": "object", "required": ["code", "name"],
            "properties": {"code": {"type": "string"}, "name": {"type": "string"}}},
    "Task": {"type": "object", "required": [
        "id", "instance_id", "bpmn_id", "name", "lane", "assignee", "created_at", "due_at", "overdue"],
        "properties": {
            "id": {"type": "string"}, "instance_id": {"type": "integer"}, "instance_title": {"type": "string"},
            "bpmn_id": {"type": "string"}, "name": {"type": "string"}, "lane": {"type": "string"},
            "state": {"type": "string", "enum": ["ready", "completed"]},
            "assignee": {"type": ["string", "null"]}, "created_at": TIME, "due_at": TIME,
            "overdue": {"type": "boolean"}, "completed_at": NULLABLE_TIME,
            "timeliness": TIMELINESS,
            "completed_by": {"type": ["string", "null"]}}},
    "TaskWithForm": {"allOf": [_ref("Task"), {"type": "object", "required": ["form", "data"], "properties": {
        "form": {"type": "object", "description": "JSON Schema of the task's form"},
        "data": {"type": "object"}}}]},
    "Instance": {"type": "object", "required": ["id", "process", "title", "state", "data", "tasks",
                                                "history", "due_at"], "properties": {
        "id": {"type": "integer"}, "process": {"type": "string"}, "process_version": {"type": "integer"},
        "title": {"type": "string"}, "state": {"type": "string", "enum": ["running", "completed", "cancelled"]},
        "data": {"type": "object"}, "created_at": TIME, "completed_at": NULLABLE_TIME, "due_at": TIME,
        "overdue": {"type": "boolean"}, "timeliness": TIMELINESS,
        "tasks": {"type": "array", "items": _ref("Task")},
        "history": {"type": "array", "items": {"type": "object", "properties": {
            "at": TIME, "user": {"type": ["string", "null"]}, "action": {"type": "string"},
            "task_id": {"type": ["string", "null"]}, "detail": {"type": "object"}}}}}},
    "Dataset": {"type": "object", "required": ["id", "title", "opd", "period", "columns", "row_count"],
                "properties": {
        "id": {"type": "integer"}, "title": {"type": "string"}, "description": {"type": "string"},
        "opd": _ref("Opd"), "period": {"type": "string"}, "unit": {"type": "string"},
        "source": {"type": "string"}, "license": {"type": "string"},
        "uuid": {"type": "string", "format": "uuid", "description": "the id in the open catalog (CKAN, DCAT)"},
        "topic": {"type": "string"}, "template_id": {"type": ["integer", "null"]},
        "year": {"type": ["integer", "null"]}, "frequency": {"type": "string"},
        "concept": {"type": "string"}, "method": {"type": "string"}, "contact": {"type": "string"},
        "release_date": {"type": ["string", "null"], "format": "date"},
        "status": DATASET_STATUS, "return_reason": {"type": "string"},
        "columns": {"type": "array", "items": {"type": "string"}}, "row_count": {"type": "integer"},
        "preview": {"type": "array", "items": {"type": "array"}}, "is_sample": {"type": "boolean"},
        "created_at": TIME, "url": {"type": "string"}}},
    "Complaint": {"type": "object", "required": ["ticket", "status", "steps", "url"], "properties": {
        "ticket": {"type": "string"}, "status": {"type": "string", "enum": list(STATUS_LABELS)},
        "subject": {"type": "string"}, "publication_id": {"type": ["integer", "null"]},
        "dataset_id": {"type": ["integer", "null"]}, "message": {"type": "string"}, "received_at": TIME,
        "steps": {"type": "array", "items": {"type": "object", "properties": {
            "status": {"type": "string"}, "at": TIME}}},
        "answer": {"type": ["string", "null"]}, "answered_at": NULLABLE_TIME,
        "corrected_publication_url": {"type": ["string", "null"]}, "closed": {"type": "boolean"},
        "url": {"type": "string", "description": "the public status page"}}},
    "Template": {"type": "object", "required": ["id", "opd", "topic", "title", "columns"], "properties": {
        "id": {"type": "integer"}, "opd": {"type": "string"}, "topic": {"type": "string"},
        "title": {"type": "string"}, "description": {"type": "string"}, "active": {"type": "boolean"},
        "columns": COLUMNS_SCHEMA}},
    "Publication": {"type": "object", "required": ["id", "title", "caption", "image_url", "dataset"],
                    "properties": {
        "id": {"type": "integer"}, "title": {"type": "string"}, "caption": {"type": "string"},
        "image_url": {"type": "string"}, "url": {"type": "string"},
        "dataset": {"type": "object", "properties": {"id": {"type": "integer"}, "title": {"type": "string"},
                                                     "opd": _ref("Opd"), "url": {"type": "string"}}},
        "channels": {"type": "array", "items": {"type": "string"}},
        "links": {"type": "array", "items": {"type": "string"}}, "published_at": TIME,
        "corrects": {"type": ["integer", "null"], "description": "the publication this version corrects"},
        "correction_note": {"type": "string"}}},
    "ProcessVersion": {"type": "object", "required": ["version", "sha256"], "properties": {
        "id": {"type": "string"}, "name": {"type": "string"}, "version": {"type": "integer"},
        "sha256": {"type": "string"}, "deployed_at": TIME, "notes": {"type": "string"},
        "forms": {"type": "array", "items": {"type": "string"}}, "running_instances": {"type": "integer"}}},
}


def _op(summary: str, responses: dict[str, Any], *, secured: bool = True, **extra: Any) -> dict[str, Any]:
    # Any call may be unreadable: a body that is not the JSON object asked for, or text the API refuses
    # anywhere in the request (NUL, a lone surrogate), even in a query parameter the call does not read.
    errors = {**_errors(400), **(_errors(401) if secured else {})}
    op = {"summary": summary, "responses": {**responses, **errors}, **extra}
    if secured:
        op["security"] = SECURED
    return op


def _multipart(properties: dict[str, Any], required: list[str]) -> dict[str, Any]:
    return {"required": True, "content": {"multipart/form-data": {"schema": {
        "type": "object", "required": required, "properties": properties}}}}


def _body(schema: dict[str, Any]) -> dict[str, Any]:
    return {"required": True, "content": {"application/json": {"schema": schema}}}


PATHS: dict[str, Any] = {
    "/auth/token": {"post": _op(
        "A bearer token for the other calls",
        {"200": _json({"type": "object", "required": ["token", "expires_at"], "properties": {
            "token": {"type": "string"}, "token_type": {"type": "string"}, "expires_at": TIME,
            "user": {"type": "object"}}}), **_errors(400, 401),
         "429": {**_errors(429)["429"], "headers": {"Retry-After": {
             "description": "Detik sampai percobaan berikutnya diterima",
             "schema": {"type": "integer"}}}}},
        secured=False,
        requestBody=_body({"type": "object", "required": ["username", "password"], "properties": {
            "username": {"type": "string"}, "password": {"type": "string"}}}))},
    "/processes": {"get": _op("Deployed processes with their versions", {"200": _json({
        "type": "object", "properties": {"items": {"type": "array", "items": {"type": "object", "properties": {
            "id": {"type": "string"}, "name": {"type": "string"},
            "versions": {"type": "array", "items": _ref("ProcessVersion")}}}}}})})},
    "/processes/{process_id}/versions": {"post": _op(
        "Validate and deploy a new version (admin)",
        {"201": _json(_ref("ProcessVersion"), "Deployed"), **_errors(403, 413, 422)},
        parameters=[{"name": "process_id", "in": "path", "required": True, "schema": {"type": "string"}},
                    {"name": "notes", "in": "query", "schema": {"type": "string"}}],
        requestBody={"required": True, "content": {"application/xml": {"schema": {"type": "string"}}}})},
    "/opds": {"get": _op("The regional agencies (OPD)", {"200": _json({"type": "object", "properties": {
        "items": {"type": "array", "items": _ref("Opd")}}})})},
    "/datasets": {
        "get": _op("The datasets the caller may read: every checked one; unchecked ones of the caller's OPD "
                   "(pengelola_data) or of every OPD (walidata, admin, pengawas)",
                   {"200": _json(_page("Dataset")), **_errors(400)},
                   parameters=[{"name": "status", "in": "query", "schema": DATASET_STATUS},
                               {"name": "opd", "in": "query", "schema": {"type": "string"}}, *PAGING]),
        "post": _op("Store sectoral data (CSV or XLSX) as a draft; with `template`, the file is checked "
                    "against it and a misfit answers 422 with `findings` (row, column, reason)",
                    {"201": _json(_ref("Dataset"), "Stored"), **_errors(400, 403, 413, 422)},
                    requestBody=_multipart({
                        "file": MULTIPART_FILE, "title": {"type": "string"}, "opd": {"type": "string"},
                        "period": {"type": "string", "description": "2025, 2025-S1 or 2025-03"},
                        "template": {"type": "integer"}, "topic": {"type": "string"},
                        "description": {"type": "string"}, "frequency": {"type": "string"},
                        "unit": {"type": "string"}, "source": {"type": "string"},
                        "concept": {"type": "string"}, "method": {"type": "string"},
                        "contact": {"type": "string"}, "license": {"type": "string"},
                        "release_date": {"type": "string", "format": "date"}},
                        ["file", "title", "opd", "period"]))},
    "/datasets/{dataset_id}": {"get": _op("One dataset", {"200": _json(_ref("Dataset")), **_errors(404)},
                                          parameters=[DATASET_ID])},
    "/datasets/{dataset_id}/submit": {"post": _op(
        "Hand a draft or returned dataset to the walidata (the OPD's operator with a valid letter)",
        {"200": _json(_ref("Dataset")), **_errors(403, 404, 409)}, parameters=[DATASET_ID])},
    "/datasets/{dataset_id}/approve": {"post": _op(
        "Checked by the walidata: ready to publish", {"200": _json(_ref("Dataset")), **_errors(403, 404, 409)},
        parameters=[DATASET_ID])},
    "/datasets/{dataset_id}/return": {"post": _op(
        "Returned by the walidata with a reason", {"200": _json(_ref("Dataset")), **_errors(400, 403, 404, 409, 422)},
        parameters=[DATASET_ID], requestBody=_body({"type": "object", "required": ["reason"], "properties": {
            "reason": {"type": "string"}}}))},
    "/templates": {
        "get": _op("Data templates", {"200": _json({"type": "object", "properties": {
            "items": {"type": "array", "items": _ref("Template")}}})},
            parameters=[{"name": "opd", "in": "query", "schema": {"type": "string"}}]),
        "post": _op("Create a data template (admin, walidata)", {"201": _json(_ref("Template"), "Created"),
                                                                  **_errors(400, 403, 422)},
                    requestBody=_body({"type": "object", "required": ["opd", "topic", "title", "columns"],
                                       "properties": {"opd": {"type": "string"}, "topic": {"type": "string"},
                                                      "title": {"type": "string"},
                                                      "description": {"type": "string"},
                                                      "columns": COLUMNS_SCHEMA}}))},
    "/complaints/form-token": {"get": _op(
        "A signed token for one complaint; send it at least min_seconds later", {"200": _json({
            "type": "object", "required": ["form_token"], "properties": {
                "form_token": {"type": "string"}, "min_seconds": {"type": "integer"}}})}, secured=False)},
    "/complaints": {"post": _op(
        "Report a problem with a publication or a dataset (public; rate limited per address)",
        {"201": _json(_ref("Complaint"), "Received; keep the ticket"), **_errors(400, 422, 429)}, secured=False,
        requestBody=_body({"type": "object", "required": ["nama", "kontak", "pesan", "form_token"], "properties": {
            "nama": {"type": "string"}, "kontak": {"type": "string", "description": "e-mail or phone"},
            "pesan": {"type": "string"}, "publication_id": {"type": "integer"}, "dataset_id": {"type": "integer"},
            "form_token": {"type": "string"},
            "website": {"type": "string", "description": "leave empty (a field for robots)"}}}))},
    "/complaints/{ticket}": {"get": _op(
        "The status of a complaint (public)", {"200": _json(_ref("Complaint")), **_errors(404)}, secured=False,
        parameters=[{"name": "ticket", "in": "path", "required": True, "schema": {"type": "string"}}])},
    "/templates/{template_id}": {"get": _op("One data template", {"200": _json(_ref("Template")), **_errors(404)},
                                            parameters=[{"name": "template_id", "in": "path", "required": True,
                                                         "schema": {"type": "integer"}}])},
    "/files": {"post": _op("Store an upload (PNG, JPEG, WebP, PDF) for a task form", {
        "201": _json({"type": "object", "required": ["id"], "properties": {
            "id": {"type": "string"}, "content_type": {"type": "string"}, "size": {"type": "integer"}}}),
        **_errors(400, 413, 422)}, requestBody=_multipart({"file": MULTIPART_FILE}, ["file"]))},
    "/instances": {"post": _op(
        "Start an instance", {"201": _json(_ref("Instance"), "Started"), **_errors(400, 403, 422)},
        requestBody=_body({"type": "object", "required": ["process", "title"], "properties": {
            "process": {"type": "string"}, "title": {"type": "string"}}}))},
    "/instances/{instance_id}": {"get": _op(
        "State, data, tasks, history and due time of an instance; 404 for those who may not read it "
        "(only the roles of its process's lanes, admin, pengawas and its starter may), and without the "
        "private fields (x-visible-to) the caller may not see",
        {"200": _json(_ref("Instance")), **_errors(404)},
        parameters=[{"name": "instance_id", "in": "path", "required": True, "schema": {"type": "integer"}}])},
    "/tasks": {"get": _op("Ready tasks", {"200": _json(_page("Task")), **_errors(400)}, parameters=[
        {"name": "scope", "in": "query", "schema": {"type": "string", "enum": ["mine", "lane", "all"]},
         "description": "mine: unclaimed in my lanes or claimed by me; lane: all of my lanes; "
                        "all: every open task (admin, pengawas)"},
        {"name": "timeliness", "in": "query", "schema": TIMELINESS,
         "description": "only the tasks in this state at the moment of the call: on_time, near_due "
                        "(less than 2 service hours left) or overdue (past due_at); any other value "
                        "answers 400"}, *PAGING])},
    "/tasks/{task_id}": {"get": _op("One task with its form and data (read by whoever may read its instance)", {
        "200": _json(_ref("TaskWithForm")), **_errors(403, 404)}, parameters=[TASK_ID])},
    "/tasks/{task_id}/claim": {"post": _op("Take the task", {
        "200": _json(_ref("Task")), **_errors(403, 404, 409)}, parameters=[TASK_ID])},
    "/tasks/{task_id}/release": {"post": _op("Give the task back to its lane", {
        "200": _json(_ref("Task")), **_errors(403, 404, 409)}, parameters=[TASK_ID])},
    "/tasks/{task_id}/complete": {"post": _op(
        "Complete the task; returns the instance",
        {"200": _json(_ref("Instance")), **_errors(400, 403, 404, 409, 422)}, parameters=[TASK_ID],
        requestBody=_body({"type": "object", "properties": {"data": {"type": "object"}}}))},
    "/publications": {"get": _op("Published items", {"200": _json(_page("Publication")), **_errors(400)},
                                 secured=False, parameters=PAGING)},
}

DOCUMENT = {
    "openapi": "3.1.0",
    "info": {"title": "Penyebarluasan Data — Satu Data Kabupaten Magetan", "version": "1",
             "description": "The SOP Penyebarluasan Data as a service: tasks, instances, catalog, "
                            "publications. Errors are {\"error\": {\"code\", \"message\", \"fields\"}}."},
    "servers": [{"url": "/api/v1"}],
    "paths": PATHS,
    "components": {"schemas": SCHEMAS,
                   "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
}


@bp.get("/openapi.json")
def openapi_document():
    return jsonify(DOCUMENT)
