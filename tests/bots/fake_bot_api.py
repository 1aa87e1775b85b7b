"""A fake Telegram Bot API server on loopback, for driving the real bot in tests.

It speaks the Bot API over HTTP (``POST /bot<token>/<method>`` answering
``{"ok": true, "result": ...}``, files under ``/file/bot<token>/<path>``), keeps a
queue of updates for long-polling ``getUpdates`` (or posts them to the webhook once
``setWebhook`` was called), records every call the bot makes, and can be told to
fail the next calls of a method (429 with ``retry_after``, 5xx).

The test side plays the resident: ``send_text``, ``send_photo``, ``press`` (a button
the bot actually showed) and ``wait_for`` (the next bot message containing a text).
"""

from __future__ import annotations

import contextlib
import itertools
import json
import threading
import time
import urllib.error
import urllib.request
from collections import defaultdict, deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, unquote

TOKEN = "123456:TEST-token"
BOT_USER = {"id": 123456, "is_bot": True, "first_name": "Lapor Bot", "username": "lapor_test_bot",
            "can_join_groups": False, "can_read_all_group_messages": False,
            "supports_inline_queries": False}
JSON_FIELDS = {"reply_markup", "commands", "allowed_updates", "chat_id", "message_id", "offset",
               "limit", "timeout", "show_alert", "latitude", "longitude"}


class FakeBotApi:
    """The fake server and the resident's side of the chat."""

    def __init__(self, token: str = TOKEN) -> None:
        self.token = token
        self.calls: list[tuple[str, dict]] = []
        self.unknown_methods: list[str] = []
        self._updates: list[dict] = []
        self._update_ids = itertools.count(1)
        self._message_ids = itertools.count(1000)
        self._callback_ids = itertools.count(1)
        self._files: dict[str, tuple[bytes, str]] = {}
        self._failures: dict[str, deque[tuple[int, dict]]] = defaultdict(deque)
        self._outgoing: dict[int, list[dict]] = defaultdict(list)
        self._cursor: dict[int, int] = defaultdict(int)
        self._messages: dict[tuple[int, int], dict] = {}
        self.webhook: dict | None = None
        self._changed = threading.Condition()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    # -- lifecycle -----------------------------------------------------------------
    @property
    def port(self) -> int:
        """The loopback port the fake listens on."""
        return self._server.server_address[1]

    @property
    def base_url(self) -> str:
        """Value for ``telegram.base_url``."""
        return f"http://127.0.0.1:{self.port}/bot"

    @property
    def base_file_url(self) -> str:
        """Value for ``telegram.base_file_url``."""
        return f"http://127.0.0.1:{self.port}/file/bot"

    def start(self) -> FakeBotApi:
        """Start serving in a background thread."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving; long polls in progress return at once."""
        with self._changed:
            self._changed.notify_all()
        self._server.shutdown()
        self._server.server_close()

    # -- programmable failures ------------------------------------------------------
    def fail_next(self, method: str, status: int, *, retry_after: int | None = None,
                  times: int = 1) -> None:
        """Make the next ``times`` calls of ``method`` fail with HTTP ``status``."""
        body = {"ok": False, "error_code": status,
                "description": {429: "Too Many Requests: retry later",
                                403: "Forbidden: bot was blocked by the user"}.get(
                                    status, "Internal Server Error")}
        if retry_after is not None:
            body["parameters"] = {"retry_after": retry_after}
        with self._changed:
            self._failures[method].extend([(status, body)] * times)

    # -- the resident's side ---------------------------------------------------------
    def send_text(self, chat_id: int, text: str) -> None:
        """The resident sends a text (a leading ``/word`` is a command)."""
        message = self._message(chat_id, text=text)
        if text.startswith("/"):
            message["entities"] = [{"type": "bot_command", "offset": 0,
                                    "length": len(text.split()[0])}]
        self._push({"message": message})

    def send_location(self, chat_id: int, latitude: float, longitude: float) -> None:
        """The resident shares a location."""
        self._push({"message": self._message(
            chat_id, location={"latitude": latitude, "longitude": longitude})})

    def send_photo(self, chat_id: int, content: bytes, *, file_size: int | None = None) -> str:
        """The resident sends a photo; ``file_size`` may claim a different size."""
        file_id = self.add_file(content, "photos/file_%d.jpg")
        size = {"file_id": file_id, "file_unique_id": f"u{file_id}", "width": 640, "height": 480,
                "file_size": len(content) if file_size is None else file_size}
        self._push({"message": self._message(chat_id, photo=[size])})
        return file_id

    def send_document(self, chat_id: int, content: bytes, file_name: str, mime_type: str) -> None:
        """The resident sends a file as a document."""
        file_id = self.add_file(content, "documents/file_%d")
        self._push({"message": self._message(chat_id, document={
            "file_id": file_id, "file_unique_id": f"u{file_id}", "file_name": file_name,
            "mime_type": mime_type, "file_size": len(content)})})

    def send_sticker(self, chat_id: int) -> None:
        """The resident sends a sticker (neither text nor photo)."""
        self._push({"message": self._message(chat_id, sticker={
            "file_id": "sticker1", "file_unique_id": "s1", "type": "regular", "width": 512,
            "height": 512, "is_animated": False, "is_video": False})})

    def press(self, chat_id: int, data: str, *, message_id: int | None = None,
              timeout: float = 5.0) -> str:
        """The resident presses a button; without ``message_id`` it must be on screen.

        Waits up to ``timeout`` seconds for the bot to show the button.
        """
        deadline = time.monotonic() + timeout
        with self._changed:
            while message_id is None:
                message_id = self._message_with_button(chat_id, data)
                remaining = deadline - time.monotonic()
                if message_id is None and remaining <= 0:
                    raise AssertionError(f"no button {data!r} on screen in chat {chat_id}")
                if message_id is None:
                    self._changed.wait(remaining)
            shown = self._messages[(chat_id, message_id)]
            query_id = str(next(self._callback_ids))
            query = {"id": query_id, "from": _user(chat_id), "chat_instance": f"ci{chat_id}",
                     "data": data, "message": dict(shown)}
        self._push({"callback_query": query})
        return query_id

    def add_file(self, content: bytes, path_pattern: str) -> str:
        """Store a file the bot may fetch with getFile; return its file_id."""
        with self._changed:
            number = len(self._files) + 1
            file_id = f"file{number}"
            self._files[file_id] = (content, path_pattern.replace("%d", str(number)))
        return file_id

    def wait_for(self, chat_id: int, text: str, timeout: float = 5.0) -> dict:
        """The next bot message (sent or edited) to ``chat_id`` containing ``text``.

        Messages before it are skipped; the next wait starts after it.
        """
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                log = self._outgoing[chat_id]
                for index in range(self._cursor[chat_id], len(log)):
                    if text in (log[index].get("text") or ""):
                        self._cursor[chat_id] = index + 1
                        return log[index]
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    seen = [entry.get("text") for entry in log[self._cursor[chat_id]:]]
                    raise AssertionError(f"no message with {text!r} to {chat_id}; got {seen}")
                self._changed.wait(remaining)

    @staticmethod
    def buttons(message: dict) -> list[list[tuple[str, str]]]:
        """The inline keyboard a bot message was sent or edited with: rows of
        (label, callback data)."""
        rows = (message.get("reply_markup") or {}).get("inline_keyboard", [])
        return [[(button["text"], button.get("callback_data", "")) for button in row]
                for row in rows]

    def answers(self, query_id: str) -> list[dict]:
        """The bot's answers to one button press (``answerCallbackQuery`` calls)."""
        return [call for call in self.calls_of("answerCallbackQuery")
                if call["callback_query_id"] == query_id]

    def outgoing(self, chat_id: int) -> list[dict]:
        """Every message the bot sent or edited in this chat, in order."""
        with self._changed:
            return list(self._outgoing[chat_id])

    def calls_of(self, method: str) -> list[dict]:
        """The parameters of every call of ``method`` so far."""
        with self._changed:
            return [params for name, params in self.calls if name == method]

    def wait_until(self, condition, timeout: float = 5.0) -> None:
        """Wait until ``condition()`` holds (re-checked after every call the bot makes)."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while not condition():
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError("condition not met in time")
                self._changed.wait(min(remaining, 0.05))

    def pending_updates(self) -> int:
        """Updates queued that the bot has not acknowledged yet."""
        with self._changed:
            return len(self._updates)

    # -- server side -------------------------------------------------------------------
    def handle(self, method: str, params: dict) -> tuple[int, dict]:
        """Answer one Bot API call: (HTTP status, JSON body)."""
        if method == "getUpdates":
            return 200, {"ok": True, "result": self._get_updates(params)}
        with self._changed:
            self.calls.append((method, params))
            self._changed.notify_all()
            if self._failures[method]:
                return self._failures[method].popleft()
            answer = getattr(self, f"_api_{method}", None)
            if answer is None:
                self.unknown_methods.append(method)
                return 404, {"ok": False, "error_code": 404, "description": "Not Found"}
            return 200, {"ok": True, "result": answer(params)}

    def file_content(self, path: str) -> bytes | None:
        """The bytes served under ``/file/bot<token>/<path>``."""
        with self._changed:
            for content, file_path in self._files.values():
                if file_path == path:
                    return content
        return None

    def _get_updates(self, params: dict) -> list[dict]:
        offset = int(params.get("offset") or 0)
        limit = int(params.get("limit") or 100)
        deadline = time.monotonic() + float(params.get("timeout") or 0)
        with self._changed:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
            while not self._updates and time.monotonic() < deadline:
                self._changed.wait(deadline - time.monotonic())
            return self._updates[:limit]

    def _api_getMe(self, params):
        return BOT_USER

    def _api_sendMessage(self, params):
        chat_id = int(params["chat_id"])
        message = {"message_id": next(self._message_ids), "date": int(time.time()),
                   "chat": {"id": chat_id, "type": "private"}, "from": BOT_USER,
                   "text": params.get("text", "")}
        markup = params.get("reply_markup")
        if isinstance(markup, dict) and "inline_keyboard" in markup:
            message["reply_markup"] = markup
        self._messages[(chat_id, message["message_id"])] = message
        self._outgoing[chat_id].append(dict(message, method="sendMessage", markup=markup))
        return message

    def _api_sendPhoto(self, params):
        chat_id = int(params["chat_id"])
        message = {"message_id": next(self._message_ids), "date": int(time.time()),
                   "chat": {"id": chat_id, "type": "private"}, "from": BOT_USER,
                   "caption": params.get("caption", "")}
        self._outgoing[chat_id].append(dict(message, method="sendPhoto"))
        return message

    def _api_editMessageText(self, params):
        message = self._edit(params, text=params.get("text", ""),
                             reply_markup=params.get("reply_markup"))
        self._outgoing[message["chat"]["id"]].append(dict(message, method="editMessageText"))
        return message

    def _api_editMessageReplyMarkup(self, params):
        return self._edit(params, reply_markup=params.get("reply_markup"))

    def _api_answerCallbackQuery(self, params):
        return True

    def _api_getFile(self, params):
        content, path = self._files[params["file_id"]]
        return {"file_id": params["file_id"], "file_unique_id": f"u{params['file_id']}",
                "file_size": len(content), "file_path": path}

    def _api_setWebhook(self, params):
        self.webhook = {"url": params["url"], "secret_token": params.get("secret_token")}
        return True

    def _api_deleteWebhook(self, params):
        self.webhook = None
        return True

    def _api_setMyCommands(self, params):
        return True

    def _api_close(self, params):
        return True

    def _edit(self, params, **changes) -> dict:
        chat_id = int(params["chat_id"])
        message = self._messages[(chat_id, int(params["message_id"]))]
        for key, value in changes.items():
            inline = isinstance(value, dict) and "inline_keyboard" in value
            if key == "reply_markup" and not inline:
                message.pop("reply_markup", None)
            elif value is not None:
                message[key] = value
        return message

    def _message(self, chat_id: int, **content) -> dict:
        return {"message_id": next(self._message_ids), "date": int(time.time()),
                "chat": {"id": chat_id, "type": "private", "first_name": f"Warga{chat_id}"},
                "from": _user(chat_id), **content}

    def _message_with_button(self, chat_id: int, data: str) -> int | None:
        for (chat, message_id), message in sorted(self._messages.items(), reverse=True):
            rows = (message.get("reply_markup") or {}).get("inline_keyboard", [])
            if chat == chat_id and any(b.get("callback_data") == data for r in rows for b in r):
                return message_id
        return None

    def _push(self, body: dict) -> None:
        with self._changed:
            update = {"update_id": next(self._update_ids), **body}
            webhook = self.webhook
            if webhook is None:
                self._updates.append(update)
                self._changed.notify_all()
                return
        request = urllib.request.Request(  # noqa: S310 - loopback URL the bot registered
            webhook["url"], data=json.dumps(update).encode(), method="POST",
            headers={"Content-Type": "application/json",
                     "X-Telegram-Bot-Api-Secret-Token": webhook["secret_token"] or ""})
        deadline = time.monotonic() + 5
        while True:  # like Telegram, retry while the bot's listener is not up yet
            try:
                with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310
                    response.read()
                return
            except urllib.error.URLError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)


def _user(chat_id: int) -> dict:
    return {"id": chat_id, "is_bot": False, "first_name": f"Warga{chat_id}", "language_code": "id"}


def _decode(raw: dict[str, str]) -> dict:
    params = {}
    for key, value in raw.items():
        if key in JSON_FIELDS and isinstance(value, str):
            with contextlib.suppress(ValueError):
                value = json.loads(value)
        params[key] = value
    return params


def _handler_for(api: FakeBotApi) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self):  # noqa: N802 - http.server naming
            self._dispatch()

        def do_POST(self):  # noqa: N802 - http.server naming
            self._dispatch()

        def log_message(self, *args):
            pass

        def _dispatch(self):
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            path = unquote(self.path)
            file_prefix = f"/file/bot{api.token}/"
            if path.startswith(file_prefix):
                content = api.file_content(path[len(file_prefix):])
                self._reply(404 if content is None else 200, content or b"",
                            "application/octet-stream")
                return
            prefix = f"/bot{api.token}/"
            if not path.startswith(prefix):
                self._reply(401, json.dumps({"ok": False, "error_code": 401,
                                             "description": "Unauthorized"}).encode())
                return
            method = path[len(prefix):].split("?", 1)[0]
            content_type = self.headers.get("Content-Type", "")
            if content_type.startswith("application/json"):
                params = json.loads(body or b"{}")
            else:
                params = _decode(dict(parse_qsl(body.decode())))
            status, answer = api.handle(method, params)
            self._reply(status, json.dumps(answer).encode())

        def _reply(self, status: int, payload: bytes, content_type: str = "application/json"):
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            # the bot may give up on a long poll while shutting down
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                self.wfile.write(payload)

    return Handler
