"""The client's heartbeat against a local server that goes quiet (no gateway needed): a silent connection is pinged,
dropped with a STALLED error when nothing follows the ping in time, and reconnected; answered pings keep it open."""

import asyncio
import json
import os
import sys
import time
import unittest

import websockets

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from market_gateway import GatewayClient  # noqa: E402


class QuietServer:
    def __init__(self, answer: bool) -> None:
        self.answer, self.connections, self.pings = answer, 0, 0

    async def handler(self, ws, *_path) -> None:
        self.connections += 1
        async for message in ws:
            if json.loads(message).get("method") == "ping":
                self.pings += 1
                if self.answer:
                    await ws.send(json.dumps({"event": "pong"}))

    async def __aenter__(self) -> "QuietServer":
        self.server = await websockets.serve(self.handler, "127.0.0.1", 0)
        self.url = "ws://127.0.0.1:%d/ws/exchange" % self.server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *exc) -> None:
        self.server.close()
        await self.server.wait_closed()


async def wait_for(pred, timeout: float = 10.0, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while not pred():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.02)


class HeartbeatTest(unittest.IsolatedAsyncioTestCase):
    async def test_a_silent_connection_is_pinged_dropped_and_reconnected(self):
        async with QuietServer(answer=False) as server:
            client = GatewayClient(server.url, ping_interval=0.1, pong_timeout=0.3, initial_delay=0.05, max_delay=0.1)
            errors, closes = [], []
            client.on("error", errors.append)
            client.on("close", closes.append)
            await client.start()
            try:
                await wait_for(lambda: closes, what="the stalled connection dropped")
                self.assertGreaterEqual(server.pings, 1)
                self.assertEqual(errors[0].code, "STALLED")
                await wait_for(lambda: server.connections >= 2, what="the reconnect")
            finally:
                await client.close()

    async def test_answered_pings_keep_the_connection(self):
        async with QuietServer(answer=True) as server:
            client = GatewayClient(server.url, ping_interval=0.1, pong_timeout=0.3)
            closes = []
            client.on("close", closes.append)
            await client.start()
            try:
                await wait_for(lambda: server.pings >= 4, what="four answered pings")
                self.assertEqual(closes, [])
                self.assertEqual(server.connections, 1)
            finally:
                await client.close()


if __name__ == "__main__":
    unittest.main()
