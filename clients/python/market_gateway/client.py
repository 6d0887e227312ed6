"""The gateway client for asyncio: one WebSocket kept open with jittered backoff, resume from the last (ep, sq) of
every key, gap events, status, the latest-value pool, callbacks and async iterators (SPEC §4, §4a)."""

import asyncio
import inspect
import json
import re
from typing import Any, Callable, Dict, List, Optional, Sequence, Union
from urllib.parse import urlencode

import websockets

from .pool import LatestPool
from .wire import Backoff, ClientError, Event, _as_list, decode_frame
from .records import RECORD_TYPES
from .gate import ResumeGate
from .queues import QueueSet
from .tracker import SequenceTracker

MAX_RESUME_CHARS = 60_000  # the gateway refuses control messages over 64 KiB


class GatewayClient:
    def __init__(
        self,
        url: str,
        *,
        format: str = "json",
        exchange: Union[None, str, Sequence[str]] = None,
        symbol: Union[None, str, Sequence[str]] = None,
        type: Union[None, str, Sequence[str]] = None,
        snapshot: bool = True,
        depth: Optional[int] = None,
        interval: Optional[int] = None,
        batch: bool = False,
        reconnect: bool = True,
        initial_delay: float = 0.25,
        max_delay: float = 10.0,
        jitter: float = 0.5,
        resume: bool = True,
        ping_interval: float = 15.0,
        pong_timeout: float = 10.0,
        max_queue: int = 100_000,
    ) -> None:
        if not re.match(r"^(wss?|https?)://", url):
            raise ValueError(f"url: expected ws://, wss://, http:// or https://, got {url!r}")
        base = re.sub(r"^http", "ws", url)
        if not re.search(r"/ws/exchange(\?|$)", base):
            base = base.rstrip("/") + "/ws/exchange"
        if format not in ("json", "msgpack"):
            raise ValueError(f"format: expected json or msgpack, got {format!r}")
        if depth is not None and (not isinstance(depth, int) or depth < 1):
            raise ValueError(f"depth: expected an integer >= 1, got {depth!r}")
        if interval is not None and (not isinstance(interval, int) or not 100 <= interval <= 60_000):
            raise ValueError(f"interval: expected an integer from 100 to 60000, got {interval!r}")
        self.base, self.format, self.snapshot = base, format, snapshot
        self.filter = {k: v for k, v in (("exchange", _as_list(exchange)), ("symbol", _as_list(symbol)), ("type", _as_list(type))) if v is not None}
        self.shape = {k: v for k, v in (("depth", depth), ("interval", interval), ("batch", True if batch else None)) if v is not None}
        self.reconnect, self.resume = reconnect, resume
        self.ping_interval, self.pong_timeout, self.max_queue = ping_interval, pong_timeout, max_queue
        self.pool = LatestPool()
        self.tracker = SequenceTracker(conflated=interval is not None)
        self.backoff = Backoff(initial_delay, max_delay, jitter)
        self.connected = False
        self._states: Dict[str, Dict[str, Any]] = {}
        self._listeners: Dict[str, List[Callable]] = {}
        self._queues = QueueSet(max_queue)
        self._record_queues = QueueSet(max_queue)
        self._closed = False
        self._task: Optional[asyncio.Task] = None
        self._opened: Optional[asyncio.Future] = None
        self._ws = None
        self._attempt = 0
        self._resume_supported = True
        self._resume_id: Optional[str] = None
        self._resume_sent: List[Dict[str, Any]] = []
        self._seq = 0
        self._gate = ResumeGate(self._process)

    # ---- public API ----
    def on(self, name: str, fn: Callable) -> Callable[[], None]:
        """Calls fn(value) for each event: record, <ty>, status, resync, gap, resumed, subscribed, pong, open, close, error."""
        self._listeners.setdefault(name, []).append(fn)
        return lambda: self._listeners.get(name, []).remove(fn) if fn in self._listeners.get(name, []) else None

    async def start(self) -> None:
        """Starts connecting; returns when the first connection is open."""
        if self._task is None:
            self._opened = asyncio.get_running_loop().create_future()
            self._task = asyncio.create_task(self._run())
        await asyncio.shield(self._opened)

    async def close(self) -> None:
        """Stops for good: closes the socket, cancels reconnects, ends every iterator. Idempotent."""
        if self._closed:
            return
        self._closed = True
        ws = self._ws
        if ws is not None:
            await ws.close()
        if self._task is not None:
            self._task.cancel()
            try:
                await self._task
            except (asyncio.CancelledError, Exception):
                pass
        self._queues.end()
        self._record_queues.end()

    async def __aenter__(self) -> "GatewayClient":
        await self.start()
        return self

    async def __aexit__(self, *exc: Any) -> None:
        await self.close()

    def latest(self, exchange: str, symbol: str, type: str, rex: Optional[str] = None, iv: Optional[str] = None) -> Optional[Dict[str, Any]]:
        return self.pool.latest(exchange, symbol, type, rex, iv)

    def status(self, exchange: str) -> Optional[Dict[str, Any]]:
        """the last status event of an exchange on the current connection"""
        return self._states.get(exchange)

    def statuses(self) -> List[Dict[str, Any]]:
        return list(self._states.values())

    def trusted(self, exchange: str, symbol: str, type: str, max_age_ms: Optional[int] = None) -> bool:
        """True only when connected, the exchange is up, no resync is pending for the key, and the record is recent."""
        if not self.connected or (self._states.get(exchange) or {}).get("state") != "up" or not self.pool.valid(exchange, symbol, type):
            return False
        r = self.pool.latest(exchange, symbol, type)
        if r is None:
            return False
        import time

        return max_age_ms is None or time.time() * 1000 - r.get("rtms", r.get("tms", 0)) <= max_age_ms

    def records(self):
        """An async iterator of records only, holding every record from the moment it is made."""
        return self._record_queues.iterate()

    def events(self):
        """An async iterator of every event as Event(kind, data), from the moment it is made."""
        return self._queues.iterate()

    def __aiter__(self):
        return self.records()

    # ---- internals ----
    def _emit(self, name: str, value: Any) -> None:
        for fn in list(self._listeners.get(name, [])):
            try:
                res = fn(value)
                if inspect.isawaitable(res):
                    asyncio.ensure_future(res)
            except Exception as e:  # a throwing listener is reported, never propagated
                if name != "error":
                    self._emit("error", ClientError("LISTENER", f"a {name!r} listener raised {e!r}"))
        if name not in RECORD_TYPES:
            self._queues.push(Event(name, value))

    def _url(self, snapshot: bool, wait: bool = False) -> str:
        q: Dict[str, str] = {}
        if self.format != "json":
            q["format"] = self.format
        for k, v in self.filter.items():
            q[k] = ",".join(v)
        if wait:  # a resuming connection: nothing until the subscribe, which also snapshots keys never held
            q["wait"] = "true"
        elif not snapshot:
            q["snapshot"] = "false"
        for k, v in self.shape.items():
            q[k] = "true" if v is True else str(v)
        return self.base + ("?" + urlencode(q) if q else "")

    async def _run(self) -> None:
        while not self._closed:
            resume = self.tracker.entries() if self.resume and self._resume_supported and len(self.tracker) else []
            if resume and len(json.dumps(resume)) > MAX_RESUME_CHARS:
                resume = []
                self.tracker.expect("unresumable")
            snapshot = False if resume else (self.snapshot if self._attempt == 0 or not len(self.tracker) else True)
            url = self._url(snapshot, wait=bool(resume))
            code, reason, delay = 1006, "", None
            try:
                async with websockets.connect(url, ping_interval=None, max_size=2 ** 24, open_timeout=10, close_timeout=2) as ws:
                    self._ws, self.connected = ws, True
                    self._gate.begin(resume)
                    if resume:
                        self._seq += 1
                        self._resume_id, self._resume_sent = f"resume-{self._seq}", resume
                        await ws.send(json.dumps({"method": "subscribe", "id": self._resume_id, **self.filter, **self.shape, "resume": resume}))
                    if self._opened is not None and not self._opened.done():
                        self._opened.set_result(None)
                    self._emit("open", {"url": url, "attempt": self._attempt, "resuming": len(resume)})
                    delay = await self._read(ws)
                    code, reason = ws.close_code or 1000, ws.close_reason or ""
            except asyncio.CancelledError:
                raise
            except websockets.exceptions.ConnectionClosed as e:
                code, reason = e.code, e.reason
            except Exception as e:  # refused, reset, a failed handshake: all mean "try again"
                reason = str(e) or e.__class__.__name__
                self._emit("error", ClientError("WEBSOCKET", f"{url}: {e}"))
            finally:
                self._ws, self.connected = None, False
                self._states.clear()
                self._gate.reset()
            if self._closed:
                break
            if not self.reconnect:
                self._emit("close", {"code": code, "reason": reason})
                self._closed = True
                if self._opened is not None and not self._opened.done():
                    self._opened.set_exception(ClientError("CLOSED", f"the connection closed before it opened ({code} {reason})"))
                break
            wait = self.backoff.next() if delay is None else delay
            self._attempt += 1
            self._emit("close", {"code": code, "reason": reason, "reconnect_in": wait})
            await asyncio.sleep(wait)
        self._queues.end()
        self._record_queues.end()

    async def _read(self, ws) -> Optional[float]:
        """Reads until the socket ends; returns a delay to reconnect with when it decides to reconnect itself."""
        while True:
            try:
                data = await asyncio.wait_for(ws.recv(), self.ping_interval) if self.ping_interval > 0 else await ws.recv()
            except asyncio.TimeoutError:
                await ws.send('{"method":"ping"}')
                try:
                    data = await asyncio.wait_for(ws.recv(), self.pong_timeout)
                except asyncio.TimeoutError:
                    self._emit("error", ClientError("STALLED", f"no frame within {self.pong_timeout} s of a ping"))
                    return None
            self.backoff.reset()
            try:
                values = decode_frame(data)
            except ClientError as e:
                self._emit("error", e)
                continue
            for v in values:
                again = self._handle(v)
                if again is not None:
                    return again

    def _process(self, v: Dict[str, Any]) -> None:
        deliver, gap = self.tracker.accept(v)
        if gap is not None:
            self._emit("gap", gap)
        if deliver:
            self.pool.put(v)
            self._emit("record", v)
            self._emit(v["ty"], v)
            self._record_queues.push(v)

    def _handle(self, v: Any) -> Optional[float]:
        if isinstance(v, dict) and isinstance(v.get("ty"), str):
            if not self._gate.hold(v):
                self._process(v)
            return None
        ev = v.get("event") if isinstance(v, dict) else None
        if ev == "status":
            self._gate.end()
            self._states[v.get("exchange")] = v
            self._emit("status", v)
        elif ev == "resync":
            self.pool.invalidate(v.get("exchange"), v.get("symbol"), v.get("type"))
            self._emit("resync", v)
        elif ev == "resumed":
            for gap in self.tracker.lost(v.get("lost") or []):
                self._emit("gap", gap)
            self._gate.resumed()
            self._emit("resumed", v)
        elif ev in ("subscribed", "pong"):
            self._emit(ev, v)
        elif ev == "error":
            if v.get("id") is not None and v.get("id") == self._resume_id:
                m = re.match(r"^resume\[(\d+)\]", v.get("message") or "")
                entry = self._resume_sent[int(m.group(1))] if m and int(m.group(1)) < len(self._resume_sent) else None
                if entry is not None:
                    bad = {k: entry.get(k) for k in ("ex", "ty", "cd", "rex", "iv")}
                    self.tracker.retain(lambda ref: {k: ref.get(k) for k in bad} != bad)
                else:
                    self._resume_supported = False
                    self.tracker.expect("unresumable")
                self._emit("error", ClientError(v.get("code", "BAD_REQUEST"), f"resume refused: {v.get('message')}"))
                return 0.0
            self._emit("error", ClientError(v.get("code", "SERVER"), v.get("message", "error from the gateway")))
        else:
            self._emit("error", ClientError("DECODE", "a frame was neither a record nor a known event"))
        return None
