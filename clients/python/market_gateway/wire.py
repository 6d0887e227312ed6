"""What the client's parts share: its coded error, the events it yields, the reconnect backoff and frame decoding."""

import json
import random
from dataclasses import dataclass
from typing import Any, Callable, List, Optional, Sequence, Union

import msgpack


class ClientError(Exception):
    """Errors carry a stable code: BAD_REQUEST (from the gateway), WEBSOCKET, DECODE, QUEUE_OVERFLOW, LISTENER."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


@dataclass
class Event:
    """What ``events()`` yields: kind is record, status, resync, gap, resumed, subscribed, pong, open, close or error."""

    kind: str
    data: Any


class Backoff:
    """Exponential from initial to maximum seconds; ``jitter`` is the random share of each delay."""

    def __init__(self, initial: float = 0.25, maximum: float = 10.0, jitter: float = 0.5, rand: Callable[[], float] = random.random) -> None:
        self.initial, self.maximum, self.jitter, self.rand, self.attempt = initial, max(initial, maximum), min(1.0, max(0.0, jitter)), rand, 0

    def next(self) -> float:
        base = min(self.maximum, self.initial * 2 ** min(self.attempt, 30))
        self.attempt += 1
        return base * (1 - self.jitter) + base * self.jitter * self.rand()

    def reset(self) -> None:
        self.attempt = 0


def _as_list(v: Union[None, str, Sequence[str]]) -> Optional[List[str]]:
    return None if v is None else [v] if isinstance(v, str) else list(v)


def decode_frame(data: Union[str, bytes]) -> List[Any]:
    """One frame -> the values it holds (a batched frame holds a list)."""
    try:
        v = json.loads(data) if isinstance(data, str) else msgpack.unpackb(data, raw=False, strict_map_key=False)
    except Exception as e:
        raise ClientError("DECODE", f"a frame could not be decoded: {e}") from e
    return v if isinstance(v, list) else [v]
