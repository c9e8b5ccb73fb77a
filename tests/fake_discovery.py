"""The fake Google's strictness, read from the Calendar API discovery document: routes, parameters, bodies.

Beyond the document's types, the limits Google enforces on values calsync sends (from the API reference):
at most 5 reminder overrides, each 0-40320 minutes by "email" or "popup"; event colorId 1-11.
"""
from __future__ import annotations

import re
import urllib.parse
from dataclasses import dataclass
from typing import Any

MAX_REMINDERS, MAX_REMINDER_MINUTES = 5, 40320
EVENT_COLORS = {str(n) for n in range(1, 12)}


@dataclass(frozen=True)
class Method:
    id: str  # e.g. events.insert
    http_method: str
    path: str  # e.g. calendars/{calendarId}/events
    scopes: tuple[str, ...]
    parameters: dict[str, Any]
    request: str | None  # the request body's schema name


def methods(doc: dict[str, Any]) -> list[Method]:
    found = []
    for resource, spec in doc["resources"].items():
        for name, m in spec.get("methods", {}).items():
            found.append(Method(f"{resource}.{name}", m["httpMethod"], m["path"], tuple(m.get("scopes", ())),
                                m.get("parameters", {}), m.get("request", {}).get("$ref")))
    return found


def route(doc: dict[str, Any], http_method: str, path: str) -> tuple[Method, dict[str, str]] | None:
    """The method an HTTP request calls, and its path parameters; literal segments win over parameters."""
    prefix = "/" + doc["servicePath"]
    if not path.startswith(prefix):
        return None
    segments = [urllib.parse.unquote(p) for p in path[len(prefix):].split("/")]
    best: tuple[int, Method, dict[str, str]] | None = None
    for method in methods(doc):
        template = method.path.split("/")
        if method.http_method != http_method or len(template) != len(segments):
            continue
        params, literal = {}, 0
        for want, got in zip(template, segments):
            if want.startswith("{"):
                if not got:
                    break
                params[want.strip("{}")] = got
            elif want != got:
                break
            else:
                literal += 1
        else:
            if best is None or literal > best[0]:
                best = (literal, method, params)
    return (best[1], best[2]) if best else None


def check_query(doc: dict[str, Any], method: Method, query: dict[str, str]) -> str | None:
    """A problem with the query string, as Google would name it, or None."""
    known = {**doc.get("parameters", {}), **method.parameters}
    for name, value in query.items():
        spec = known.get(name)
        if spec is None or spec.get("location") == "path":
            return f"unknown parameter {name!r}"
        kind = spec.get("type")
        if kind == "integer" and not re.fullmatch(r"-?\d+", value):
            return f"Invalid value for: {name} is not an integer"
        if kind == "boolean" and value not in ("true", "false"):
            return f"Invalid value for: {name} is not a boolean"
        if "enum" in spec and value not in spec["enum"]:
            return f"Invalid value for: {name}"
    for name, spec in method.parameters.items():
        if spec.get("required") and spec.get("location") == "query" and name not in query:
            return f"Required parameter: {name}"
    return None


def check_body(doc: dict[str, Any], schema: str, body: Any) -> str | None:
    if not isinstance(body, dict):
        return "the request needs a JSON object body"
    problem = _check(doc, {"$ref": schema}, body, schema)
    return problem or (_event_limits(body) if schema == "Event" else None)


def _check(doc: dict[str, Any], spec: dict[str, Any], value: Any, where: str) -> str | None:
    if "$ref" in spec:
        spec = doc["schemas"][spec["$ref"]]
    kind = spec.get("type", "any")
    if value is None or kind == "any":
        return None
    expected = {"string": str, "integer": int, "number": (int, float), "boolean": bool, "object": dict, "array": list}[kind]
    if not isinstance(value, expected) or (kind in ("integer", "number") and isinstance(value, bool)):
        if not (kind in ("integer", "number") and isinstance(value, str) and re.fullmatch(r"-?\d+", value)):
            return f"Invalid value for: {where} (expected {kind})"
    if kind == "array":
        for i, item in enumerate(value):
            if problem := _check(doc, spec.get("items", {}), item, f"{where}[{i}]"):
                return problem
    if kind == "object":
        properties, extra = spec.get("properties", {}), spec.get("additionalProperties")
        for key, item in value.items():
            sub = properties.get(key, extra)
            if sub is None:
                return f"Invalid JSON payload: unknown field {where}.{key}"
            if problem := _check(doc, sub, item, f"{where}.{key}"):
                return problem
    return None


def _event_limits(body: dict[str, Any]) -> str | None:
    overrides = (body.get("reminders") or {}).get("overrides") or []
    if len(overrides) > MAX_REMINDERS:
        return "Cannot specify more than 5 override reminders."
    for reminder in overrides:
        if reminder.get("method") not in ("email", "popup"):
            return "Invalid value for: reminders.overrides.method"
        if not 0 <= int(reminder.get("minutes", -1)) <= MAX_REMINDER_MINUTES:
            return "Invalid value for: reminders.overrides.minutes (0 to 40320)"
    if "colorId" in body and body["colorId"] not in EVENT_COLORS:
        return "Invalid value for: colorId (1 to 11)"
    return None
