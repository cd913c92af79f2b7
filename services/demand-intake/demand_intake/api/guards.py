"""A NUL character anywhere in a request (path, query or body) is refused with 400 before it reaches
a handler: PostgreSQL cannot store it in text and would answer with an error (a 500), SQLite would
store it silently. One check at the edge instead of one per field."""

from __future__ import annotations

from starlette.requests import Request

from demand_intake.api.open311_formats import MEDIA_TYPES, answer
from yizhou.problems import problem_response

MAX_BODY = 1 << 20


class RejectNulCharacters:
    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        target = (scope.get("raw_path") or scope["path"].encode()) + b"?" + scope.get("query_string", b"")
        if _has_nul(target) or "\x00" in scope["path"]:
            return await _refuse(scope, receive, send, 400, "The request contains a NUL character.")
        chunks, size, more = [], 0, True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > MAX_BODY:
                return await _refuse(scope, receive, send, 413, "The request body is larger than 1 MiB.")
            chunks.append(chunk)
            more = message.get("more_body", False)
        body = b"".join(chunks)
        if _has_nul(body) or b"\\u0000" in body:
            return await _refuse(scope, receive, send, 400, "The request body contains a NUL character.")
        replayed = False

        async def replay():
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        return await self.app(scope, replay, send)


def _has_nul(raw: bytes) -> bool:
    return b"\x00" in raw or b"%00" in raw


async def _refuse(scope, receive, send, status: int, detail: str) -> None:
    if not scope["path"].startswith("/open311/"):
        # The platform's problem answer, in the reader's language like every other (yizhou.problems).
        slug = "malformed-request" if status == 400 else "payload-too-large"
        return await problem_response(Request(scope), slug, detail, status)(scope, receive, send)
    # Open311 clients expect Open311's error format, as asked for.
    fmt = "xml" if scope["path"].endswith(".xml") else "json"
    body, media = answer(fmt, [{"code": status, "description": detail}], "errors", status).body, MEDIA_TYPES[fmt]
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", media.encode()), (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})
