"""A Slack look-alike on 127.0.0.1: Web API methods, file uploads and incoming webhooks.

Tests drive the real slack_sdk clients against it (``WebClient(base_url=server.api_url)``,
``WebhookClient(server.webhook_url)``), so what is tested is what goes over the
wire. It answers the way Slack does where it matters to a sender: HTTP 200
with ``{"ok": false, "error": ...}`` for Web API errors, plain-text bodies with
4xx statuses for webhooks, and ``invalid_blocks`` for Block Kit that breaks
Slack's limits (`block_problems`). Every accepted message is recorded, parsed,
in `messages`; every request, raw, in `requests`. `fail_next` makes the next
requests fail in a chosen way (429, 500, auth, unknown channel, dropped
connection, hang). `scopes` are the OAuth scopes the token was granted (a method
needing another answers ``missing_scope``, naming what it needs) and `members`
the channels the bot has joined (posting elsewhere answers ``not_in_channel``),
so a test can set up the mistakes a new Slack app comes with. Messages keep the
``metadata`` they were posted with, and ``conversations.history`` and
``conversations.replies`` read them back as Slack does: newest first (replies
oldest first), between ``oldest`` and ``latest``, ``limit`` at a time with a
cursor, metadata only with ``include_all_metadata``, needing ``channels:history``
(``groups:history`` for a channel in `private`). A message's ``ts`` is the time
it was accepted, as in Slack. `on_request` and `on_accept` are called as a request
arrives and once a message is accepted (before the answer goes back), so a
test can act at those instants, e.g. kill the sender.

    with SlackServer(token="xoxb-test") as slack:
        WebClient(token="xoxb-test", base_url=slack.api_url).chat_postMessage(channel="C0ALERTS", text="hi")
        assert slack.messages[0].text == "hi"
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, cast
from urllib.parse import parse_qs, urlsplit

FAULT_MODES = ("429", "500", "invalid_auth", "channel_not_found", "drop", "hang")
DEFAULT_CHANNELS = {"C0ALERTS": "regwatch-alerts"}
BOT_SCOPES = frozenset({"chat:write", "files:write", "channels:history", "groups:history"})
# The scope each Web API method needs (auth.test needs none; reading history: see `_history_scope`).
METHOD_SCOPES = {
    "chat.postMessage": "chat:write", "chat.update": "chat:write",
    "files.getUploadURLExternal": "files:write", "files.completeUploadExternal": "files:write",
}

_BLOCK_TYPES = {
    "actions", "context", "divider", "file", "header", "image", "input", "markdown", "rich_text", "section", "video",
}
_MAX_TEXT = 40_000  # chat.postMessage answers msg_too_long above this
_HISTORY_METHODS = ("conversations.history", "conversations.replies")


@dataclass(frozen=True)
class RawRequest:
    """A request as received, before any fault or validation."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass(frozen=True)
class Received:
    """A message Slack accepted: posted, updated or sent through a webhook."""

    endpoint: str  # "chat.postMessage" | "chat.update" | "webhook"
    channel: str | None  # channel ID (None for webhooks)
    text: str | None
    blocks: list[dict[str, Any]] | None
    thread_ts: str | None
    ts: str | None  # None for webhooks, which do not return one
    path: str
    body: dict[str, Any]  # every parameter as parsed (unfurl_links etc.)

    @property
    def metadata(self) -> dict[str, Any] | None:
        """The message metadata it was posted with (event_type, event_payload), if any."""
        value = self.body.get("metadata")
        if isinstance(value, str):
            value = json.loads(value)
        return cast(dict[str, Any], value) if isinstance(value, dict) else None


@dataclass
class Upload:
    """A file on its way through files.getUploadURLExternal -> upload URL -> files.completeUploadExternal."""

    file_id: str
    filename: str
    length: int
    data: bytes | None = None
    title: str | None = None
    channel: str | None = None
    initial_comment: str | None = None
    thread_ts: str | None = None
    completed: bool = False


@dataclass
class _Fault:
    mode: str
    remaining: int


def block_problems(blocks: Any) -> list[str]:
    """Why Slack would answer invalid_blocks for `blocks` (empty when it would not): the limits senders must keep."""
    if not isinstance(blocks, list):
        return ["blocks must be an array"]
    problems = [f"{len(blocks)} blocks, at most 50"] if len(blocks) > 50 else []
    for i, block in enumerate(blocks):
        where = f"blocks[{i}]"
        if not isinstance(block, dict) or block.get("type") not in _BLOCK_TYPES:
            problems.append(f"{where}: unknown block type")
            continue
        if len(str(block.get("block_id", ""))) > 255:
            problems.append(f"{where}.block_id: more than 255 characters")
        kind = block["type"]
        if kind == "header":
            problems += _text_problems(block.get("text"), f"{where}.text", 150, ("plain_text",))
        elif kind == "section":
            if "text" not in block and "fields" not in block:
                problems.append(f"{where}: a section needs text or fields")
            if "text" in block:
                problems += _text_problems(block["text"], f"{where}.text", 3000)
            if "fields" in block:
                fields = block["fields"]
                if not isinstance(fields, list) or not 1 <= len(fields) <= 10:
                    problems.append(f"{where}.fields: 1 to 10 fields")
                else:
                    for j, item in enumerate(fields):
                        problems += _text_problems(item, f"{where}.fields[{j}]", 2000)
        elif kind == "context":
            elements = block.get("elements")
            if not isinstance(elements, list) or not 1 <= len(elements) <= 10:
                problems.append(f"{where}.elements: 1 to 10 elements")
            else:
                for j, element in enumerate(elements):
                    if isinstance(element, dict) and element.get("type") != "image":
                        problems += _text_problems(element, f"{where}.elements[{j}]", 3000)
    return problems


def _text_problems(obj: Any, where: str, limit: int, types: tuple[str, ...] = ("plain_text", "mrkdwn")) -> list[str]:
    if not isinstance(obj, dict) or obj.get("type") not in types:
        return [f"{where}: must be a text object of type {' or '.join(types)}"]
    text = obj.get("text")
    if not isinstance(text, str) or not text:
        return [f"{where}.text: must be a non-empty string"]
    if len(text) > limit:
        return [f"{where}.text: {len(text)} characters, at most {limit}"]
    return []


class SlackServer:
    """Slack Web API and incoming webhooks on 127.0.0.1 (a free port), in a background thread.

    `channels` maps channel IDs to names; a message may name its channel by
    ID, by name or by "#name", and is recorded under the ID, as Slack does
    (reading history takes the ID only). `private` are the private channels.
    A "hang" fault holds the request for `hang_seconds` (or until the server
    stops) and then closes the connection without answering.
    """

    def __init__(
        self,
        token: str = "xoxb-test-token",
        channels: Mapping[str, str] | None = None,
        hang_seconds: float = 5.0,
        scopes: Iterable[str] = BOT_SCOPES,
        members: Iterable[str] | None = None,
        private: Iterable[str] = (),
    ) -> None:
        self.token = token
        self.channels = dict(DEFAULT_CHANNELS if channels is None else channels)
        self.scopes = set(scopes)
        self.members = set(self.channels if members is None else members)  # channel IDs the bot has joined
        self.private = set(private)
        self.hang_seconds = hang_seconds
        self.messages: list[Received] = []
        self.requests: list[RawRequest] = []
        self.uploads: dict[str, Upload] = {}
        self._faults: deque[_Fault] = deque()
        self.on_request: Callable[[RawRequest], None] | None = None  # as a request arrives, before any fault
        self.on_accept: Callable[[Received], None] | None = None  # once a message is accepted, before the answer
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._last_ts = 0  # microseconds: every message gets a later ts than the one before
        self._file_counter = itertools.count(1)
        self._httpd = _HTTPServer(("127.0.0.1", 0), _Handler)
        self._httpd.slack = self
        self._thread: threading.Thread | None = None

    # -- lifecycle -------------------------------------------------------

    def start(self) -> SlackServer:
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, name="slack-server", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()  # releases hanging handlers
        self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> SlackServer:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    # -- addresses -------------------------------------------------------

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def api_url(self) -> str:
        """What to give WebClient as base_url."""
        return f"{self.url}/api/"

    @property
    def webhook_url(self) -> str:
        """An incoming-webhook URL; any path under /hooks/ is accepted."""
        return f"{self.url}/hooks/T0TEST/B0TEST/s3cr3tW3bh00kP4th"

    # -- test controls ---------------------------------------------------

    def fail_next(self, n: int, mode: str) -> None:
        """Make the next `n` requests (any endpoint) fail with `mode`, one of FAULT_MODES."""
        if mode not in FAULT_MODES:
            raise ValueError(f"unknown fault mode {mode!r}; choose from {FAULT_MODES}")
        with self._lock:
            self._faults.append(_Fault(mode, n))

    def recover(self) -> None:
        """Drop the faults still queued: Slack is healthy again."""
        with self._lock:
            self._faults.clear()

    # -- used by the handler ---------------------------------------------

    def _take_fault(self) -> str | None:
        with self._lock:
            while self._faults and self._faults[0].remaining <= 0:
                self._faults.popleft()
            if not self._faults:
                return None
            self._faults[0].remaining -= 1
            return self._faults[0].mode

    def _next_ts(self) -> str:
        """The time now as Slack writes it (seconds.microseconds), later than any ts given before."""
        with self._lock:
            self._last_ts = max(int(time.time() * 1_000_000), self._last_ts + 1)
            return f"{self._last_ts // 1_000_000}.{self._last_ts % 1_000_000:06d}"

    def _channel_id(self, name: Any) -> str | None:
        if not isinstance(name, str):
            return None
        name = name.removeprefix("#")
        if name in self.channels:
            return name
        return next((cid for cid, cname in self.channels.items() if cname == name), None)

    def _record(self, received: Received) -> None:
        with self._lock:
            self.messages.append(received)
        if self.on_accept is not None:
            self.on_accept(received)

    # -- Web API methods: parsed parameters in, JSON answer out ------------

    def _api(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        handler = {
            "auth.test": self._auth_test,
            "chat.postMessage": self._post_message,
            "chat.update": self._update,
            "files.getUploadURLExternal": self._get_upload_url,
            "files.completeUploadExternal": self._complete_upload,
            "conversations.history": self._history,
            "conversations.replies": self._replies,
        }.get(method)
        if handler is None:
            return {"ok": False, "error": "unknown_method"}
        needed = self._history_scope(params) if method in _HISTORY_METHODS else METHOD_SCOPES.get(method)
        if needed is not None and needed not in self.scopes:
            return {"ok": False, "error": "missing_scope", "needed": needed, "provided": ",".join(sorted(self.scopes))}
        return handler(params)

    def _auth_test(self, params: dict[str, Any]) -> dict[str, Any]:
        return {
            "ok": True, "url": "https://regwatch-test.slack.com/", "team": "regwatch test", "user": "regwatch",
            "team_id": "T0TEST", "user_id": "U0REGWATCH", "bot_id": "B0REGWATCH",
        }

    def _check_message(self, params: dict[str, Any]) -> tuple[str | None, Any, dict[str, Any] | None]:
        """(text, blocks, error answer or None), with Slack's checks on message content."""
        text, blocks = params.get("text"), params.get("blocks")
        if isinstance(blocks, str):
            try:
                blocks = json.loads(blocks)
            except json.JSONDecodeError:
                return None, None, {"ok": False, "error": "invalid_blocks_format"}
        if not text and not blocks:
            return None, None, {"ok": False, "error": "no_text"}
        problems = block_problems(blocks) if blocks is not None else []
        if problems:
            return None, None, {"ok": False, "error": "invalid_blocks", "errors": problems}
        if isinstance(text, str) and len(text) > _MAX_TEXT:
            return None, None, {"ok": False, "error": "msg_too_long"}
        if "metadata" in params and not _valid_metadata(params["metadata"]):
            return None, None, {"ok": False, "error": "invalid_metadata_format"}
        return text, blocks, None

    def _post_message(self, params: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel_id(params.get("channel"))
        if channel is None:
            return {"ok": False, "error": "channel_not_found"}
        if channel not in self.members:
            return {"ok": False, "error": "not_in_channel"}
        text, blocks, error = self._check_message(params)
        if error:
            return error
        ts = self._next_ts()
        thread_ts = params.get("thread_ts") or None
        self._record(Received("chat.postMessage", channel, text, blocks, thread_ts, ts, "/api/chat.postMessage",
                              params))
        message = {"type": "message", "text": text or "", "ts": ts, "bot_id": "B0REGWATCH", "user": "U0REGWATCH"}
        if blocks:
            message["blocks"] = blocks
        if thread_ts:
            message["thread_ts"] = thread_ts
        return {"ok": True, "channel": channel, "ts": ts, "message": message}

    def _update(self, params: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel_id(params.get("channel"))
        if channel is None:
            return {"ok": False, "error": "channel_not_found"}
        ts = params.get("ts")
        with self._lock:
            known = any(m.channel == channel and m.ts == ts for m in self.messages)
        if not known:
            return {"ok": False, "error": "message_not_found"}
        text, blocks, error = self._check_message(params)
        if error:
            return error
        self._record(Received("chat.update", channel, text, blocks, None, ts, "/api/chat.update", params))
        message = {"type": "message", "text": text or "", "ts": ts, **({"blocks": blocks} if blocks else {})}
        return {"ok": True, "channel": channel, "ts": ts, "text": text or "", "message": message}

    # -- reading history ----------------------------------------------------

    def _history_scope(self, params: dict[str, Any]) -> str:
        """The scope reading this channel's history needs: channels:history, or groups:history when private."""
        return "groups:history" if params.get("channel") in self.private else "channels:history"

    def _readable(self, params: dict[str, Any]) -> tuple[str | None, dict[str, Any] | None]:
        """(channel ID, None) when the bot may read the channel `params` names by ID; else (None, Slack's answer)."""
        channel = params.get("channel")
        if channel not in self.channels:  # history takes an ID: a name is an unknown channel
            return None, {"ok": False, "error": "channel_not_found"}
        if channel not in self.members:
            return None, {"ok": False, "error": "not_in_channel"}
        return str(channel), None

    def _history(self, params: dict[str, Any]) -> dict[str, Any]:
        """The channel's messages, newest first (thread replies are not part of it, as in Slack)."""
        channel, error = self._readable(params)
        if error:
            return error
        with self._lock:
            posted = [m for m in self.messages if m.endpoint == "chat.postMessage" and m.channel == channel]
        top = [m for m in posted if m.thread_ts is None]
        replies = {m.thread_ts for m in posted if m.thread_ts is not None}
        found = sorted(_between(top, params), key=lambda m: float(m.ts or 0), reverse=True)
        return _page(found, params, lambda m: _as_history(m, params, threaded=m.ts in replies))

    def _replies(self, params: dict[str, Any]) -> dict[str, Any]:
        """The thread of message `ts`: the parent first, then its replies oldest first."""
        channel, error = self._readable(params)
        if error:
            return error
        ts = params.get("ts")
        with self._lock:
            posted = [m for m in self.messages if m.endpoint == "chat.postMessage" and m.channel == channel]
        parent = next((m for m in posted if m.ts == ts and m.thread_ts is None), None)
        if parent is None:
            return {"ok": False, "error": "thread_not_found"}
        replies = sorted(_between([m for m in posted if m.thread_ts == ts], params), key=lambda m: float(m.ts or 0))
        return _page([parent, *replies], params, lambda m: _as_history(m, params, threaded=True))

    def _get_upload_url(self, params: dict[str, Any]) -> dict[str, Any]:
        filename, length = params.get("filename"), str(params.get("length", ""))
        if not filename or not length.isdigit():
            return {"ok": False, "error": "invalid_arguments"}
        file_id = f"F0TEST{next(self._file_counter):04d}"
        with self._lock:
            self.uploads[file_id] = Upload(file_id, str(filename), int(length))
        return {"ok": True, "upload_url": f"{self.url}/upload/{file_id}", "file_id": file_id}

    def _complete_upload(self, params: dict[str, Any]) -> dict[str, Any]:
        try:
            files = json.loads(params.get("files") or "[]")
        except json.JSONDecodeError:
            return {"ok": False, "error": "invalid_arguments"}
        channel = None
        if params.get("channel_id"):
            channel = self._channel_id(params["channel_id"])
            if channel is None:
                return {"ok": False, "error": "channel_not_found"}
        done = []
        with self._lock:
            for item in files:
                upload = self.uploads.get(str(item.get("id")))
                if upload is None or upload.data is None:
                    return {"ok": False, "error": "file_not_found"}
                upload.title = item.get("title") or upload.filename
                upload.channel = channel
                upload.initial_comment = params.get("initial_comment")
                upload.thread_ts = params.get("thread_ts")
                upload.completed = True
                done.append({
                    "id": upload.file_id, "name": upload.filename, "title": upload.title, "size": len(upload.data),
                    "permalink": f"https://regwatch-test.slack.com/files/U0REGWATCH/{upload.file_id}",
                })
        return {"ok": True, "files": done}

    def _receive_upload(self, file_id: str, data: bytes) -> bool:
        with self._lock:
            upload = self.uploads.get(file_id)
            if upload is None:
                return False
            upload.data = data
            return True


def _valid_metadata(value: Any) -> bool:
    """Slack's shape for message metadata: an event_type string and an event_payload object."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError:
            return False
    return (isinstance(value, dict) and isinstance(value.get("event_type"), str)
            and isinstance(value.get("event_payload"), dict))


def _flag(params: dict[str, Any], name: str) -> bool:
    return str(params.get(name, "")).lower() in ("1", "true")


def _between(messages: list[Received], params: dict[str, Any]) -> list[Received]:
    """The messages with a ts after `oldest` and before `latest` (or at them, with `inclusive`)."""
    oldest, latest = float(params.get("oldest") or 0), float(params.get("latest") or time.time() + 1)
    if _flag(params, "inclusive"):
        return [m for m in messages if oldest <= float(m.ts or 0) <= latest]
    return [m for m in messages if oldest < float(m.ts or 0) < latest]


def _page(found: list[Received], params: dict[str, Any], shape: Callable[[Received], dict[str, Any]]) -> dict[str, Any]:
    """One page of `found` from the cursor on, `limit` long (Slack's default 100, at most 999), and the next cursor."""
    cursor = str(params.get("cursor") or "")
    start = int(cursor.removeprefix("next:")) if cursor.startswith("next:") else 0
    limit = min(max(int(params.get("limit") or 100), 1), 999)
    page, more = found[start:start + limit], start + limit < len(found)
    answer: dict[str, Any] = {"ok": True, "messages": [shape(m) for m in page], "has_more": more}
    answer["response_metadata"] = {"next_cursor": f"next:{start + limit}" if more else ""}
    return answer


def _as_history(message: Received, params: dict[str, Any], threaded: bool) -> dict[str, Any]:
    """A message as conversations.history and .replies show it; its metadata only with include_all_metadata."""
    shown: dict[str, Any] = {"type": "message", "text": message.text or "", "ts": message.ts, "bot_id": "B0REGWATCH",
                             "user": "U0REGWATCH"}
    if message.blocks:
        shown["blocks"] = message.blocks
    if message.thread_ts or threaded:
        shown["thread_ts"] = message.thread_ts or message.ts
    if message.metadata is not None and _flag(params, "include_all_metadata"):
        shown["metadata"] = message.metadata
    return shown


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    slack: SlackServer


class _Handler(BaseHTTPRequestHandler):
    server: _HTTPServer

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (the base class's name)
        """Silence the per-request stderr lines."""

    def do_GET(self) -> None:
        """Web API methods that read (conversations.history...) come as GET with the parameters in the query."""
        path, query = urlsplit(self.path).path, urlsplit(self.path).query
        fault = self._arrive("GET", path, b"")
        if fault in ("drop", "hang"):
            return
        if path.startswith("/api/"):
            params = {key: values[-1] for key, values in parse_qs(query, keep_blank_values=True).items()}
            self._web_api(path.removeprefix("/api/"), params, fault)
        else:
            self._send(404, b"not found", "text/plain")

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        path = urlsplit(self.path).path
        fault = self._arrive("POST", path, body)
        if fault in ("drop", "hang"):
            return
        if path.startswith("/hooks/"):
            self._webhook(body, fault)
        elif path.startswith("/upload/"):
            self._upload(path.removeprefix("/upload/"), body, fault)
        elif path.startswith("/api/"):
            self._web_api(path.removeprefix("/api/"), self._params(body), fault)
        else:
            self._send(404, b"not found", "text/plain")

    def _arrive(self, verb: str, path: str, body: bytes) -> str | None:
        """Record the request, call `on_request`, and take the next fault; a drop or hang is served here."""
        slack = self.server.slack
        raw = RawRequest(verb, path, dict(self.headers.items()), body)
        with slack._lock:
            slack.requests.append(raw)
        if slack.on_request is not None:
            slack.on_request(raw)
        fault = slack._take_fault()
        if fault in ("drop", "hang"):
            if fault == "hang":
                slack._stopping.wait(slack.hang_seconds)
            self.close_connection = True  # and say nothing: the client sees the connection close
        return fault

    def _web_api(self, method: str, params: dict[str, Any] | None, fault: str | None) -> None:
        if fault == "429":
            self._json(429, {"ok": False, "error": "ratelimited"}, {"Retry-After": "1"})
            return
        if fault == "500":
            self._json(500, {"ok": False, "error": "internal_error"})
            return
        if fault is not None:  # invalid_auth, channel_not_found
            self._json(200, {"ok": False, "error": fault})
            return
        if params is None:
            self._json(200, {"ok": False, "error": "invalid_form_data"})
            return
        token = self.headers.get("Authorization", "").removeprefix("Bearer ").strip() or params.get("token")
        if not token:
            self._json(200, {"ok": False, "error": "not_authed"})
        elif token != self.server.slack.token:
            self._json(200, {"ok": False, "error": "invalid_auth"})
        else:
            self._json(200, self.server.slack._api(method, params))

    def _webhook(self, body: bytes, fault: str | None) -> None:
        statuses = {"429": (429, "rate_limited"), "500": (500, "internal_error"),
                    "invalid_auth": (403, "invalid_token"), "channel_not_found": (404, "channel_not_found")}
        if fault is not None:
            status, answer = statuses[fault]
            self._send(status, answer.encode(), "text/html", {"Retry-After": "1"} if fault == "429" else None)
            return
        try:
            payload = json.loads(body)
        except (json.JSONDecodeError, UnicodeDecodeError):
            payload = None
        if not isinstance(payload, dict):
            self._send(400, b"invalid_payload", "text/html")
            return
        text, blocks, error = self.server.slack._check_message(payload)
        if error:
            self._send(400, str(error["error"]).encode(), "text/html")
            return
        received = Received("webhook", None, text, blocks, payload.get("thread_ts"), None, self.path, payload)
        self.server.slack._record(received)
        self._send(200, b"ok", "text/html")

    def _upload(self, file_id: str, body: bytes, fault: str | None) -> None:
        if fault is not None:
            status = 429 if fault == "429" else 500
            self._send(status, b"upload failed", "text/plain")
        elif self.server.slack._receive_upload(file_id, body):
            self._send(200, f"OK - {len(body)}".encode(), "text/plain")
        else:
            self._send(404, b"file not found", "text/plain")

    def _params(self, body: bytes) -> dict[str, Any] | None:
        """JSON or form body as a dict; None for what Slack could not read either."""
        content_type = self.headers.get("Content-Type", "")
        try:
            if content_type.startswith("application/json"):
                parsed = json.loads(body or b"{}")
                return cast(dict[str, Any], parsed) if isinstance(parsed, dict) else None
            form = parse_qs(body.decode("utf-8"), keep_blank_values=True)
        except (json.JSONDecodeError, UnicodeDecodeError):
            return None
        return {key: values[-1] for key, values in form.items()}

    def _json(self, status: int, payload: dict[str, Any], headers: dict[str, str] | None = None) -> None:
        self._send(status, json.dumps(payload).encode(), "application/json; charset=utf-8", headers)

    def _send(self, status: int, body: bytes, content_type: str, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        try:
            self.end_headers()
            self.wfile.write(body)
        except OSError:  # the client is gone (a test killed it): nobody to answer
            self.close_connection = True
