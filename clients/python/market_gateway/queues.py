"""The queues behind the client's async iterators: each iterator holds what arrives from the moment it is made, a
consumer that falls `max_queue` values behind gets QUEUE_OVERFLOW and is dropped, and ending the set ends them all."""

import asyncio
from typing import Any, List

from .wire import ClientError


class _Fail:
    def __init__(self, error: Exception) -> None:
        self.error = error


_END = object()


class QueueSet:
    def __init__(self, max_queue: int) -> None:
        self.max_queue = max_queue
        self._queues: List[asyncio.Queue] = []
        self._ended = False

    def iterate(self):
        """A new async iterator, registered now (not at its first `anext`), so nothing before the caller iterates is lost."""
        q: asyncio.Queue = asyncio.Queue()
        if self._ended:
            q.put_nowait(_END)
        else:
            self._queues.append(q)
        return self._drain(q)

    def push(self, v: Any) -> None:
        for q in list(self._queues):
            if q.qsize() >= self.max_queue:
                self._queues.remove(q)
                q.put_nowait(_Fail(ClientError("QUEUE_OVERFLOW", f"the iterator's consumer fell {self.max_queue} values behind")))
            else:
                q.put_nowait(v)

    def end(self) -> None:
        """Ends every iterator (after what each holds) and every one made from now on."""
        self._ended = True
        for q in self._queues:
            q.put_nowait(_END)
        self._queues.clear()

    async def _drain(self, q: asyncio.Queue):
        try:
            while True:
                v = await q.get()
                if v is _END:
                    return
                if isinstance(v, _Fail):
                    raise v.error
                yield v
        finally:
            if q in self._queues:
                self._queues.remove(q)
