"""The Python client against a live gateway, started and steered by test/clients/python.test.ts.

Environment: MG_WS (the gateway's WebSocket through a proxy the driver can cut), MG_CONTROL (the driver's HTTP
control: push trades, cut the connection, reconnect the upstream, restart the gateway, read a direct client's trades).
"""

import asyncio
import json
import os
import sys
import time
import unittest
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from market_gateway import GatewayClient  # noqa: E402

WS = os.environ.get("MG_WS", "")
CONTROL = os.environ.get("MG_CONTROL", "")
SYMBOLS = ["BTC/KRW", "ETH/KRW"]


def control(path: str):
    req = urllib.request.Request(CONTROL + path, method="POST" if not path.startswith("/direct") else "GET")
    with urllib.request.urlopen(req, timeout=60) as res:
        return json.loads(res.read() or b"null")


async def acontrol(path: str):
    return await asyncio.get_running_loop().run_in_executor(None, control, path)


async def wait_for(pred, timeout: float = 15.0, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while True:
        v = pred()
        if v:
            return v
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.02)


def client(**kw) -> GatewayClient:
    return GatewayClient(WS, exchange="feed", initial_delay=0.05, max_delay=0.3, **kw)


@unittest.skipUnless(WS and CONTROL, "run from test/clients/python.test.ts (needs MG_WS and MG_CONTROL)")
class LiveGatewayTest(unittest.IsolatedAsyncioTestCase):
    async def test_1_typed_records_by_callback_and_iterator_in_both_formats(self):
        for fmt in ("json", "msgpack"):
            c = client(format=fmt, type="trade", snapshot=False)
            seen = []
            c.on("trade", seen.append)
            await c.start()
            # the status comes once the gateway has joined this client to its stream: pushed trades then reach it
            await wait_for(lambda: c.status("feed"), what="the status of feed")
            records = c.records()
            pushed = await acontrol("/push?n=3")
            got = []

            async def six():
                async for r in records:
                    got.append(r)
                    if len(got) == 6:
                        break

            await asyncio.wait_for(six(), 30)
            self.assertEqual({r["ty"] for r in got}, {"trade"})
            self.assertIsInstance(got[0]["sid"], str)
            self.assertEqual(c.latest("feed", "ETH/KRW", "trade")["sid"], str(pushed["last"]))
            self.assertTrue(any(t["sid"] == str(pushed["last"]) for t in seen))
            await c.close()
            await c.close()
            self.assertFalse(c.connected)

    async def test_2_status_after_connect_and_batched_frames(self):
        async with client(type="trade", snapshot=False, batch=True) as c:
            events = c.events()
            kinds = []
            async for ev in events:
                kinds.append(ev.kind)
                if ev.kind == "status":
                    self.assertEqual((ev.data["exchange"], ev.data["state"]), ("feed", "up"))
                    break
            self.assertEqual(c.status("feed")["state"], "up")
            got = []
            c.on("record", got.append)
            await acontrol("/push?n=4")
            await wait_for(lambda: len(got) >= 8, what="batched trades")
            self.assertTrue(c.trusted("feed", "BTC/KRW", "trade", max_age_ms=60_000))
        self.assertFalse(c.trusted("feed", "BTC/KRW", "trade"))

    async def test_3_resume_after_a_3_s_cut_loses_and_repeats_nothing(self):
        c = client(type="trade", snapshot=False)
        got, gaps, resumed = [], [], asyncio.get_running_loop().create_future()
        c.on("trade", got.append)
        c.on("gap", gaps.append)
        c.on("resumed", lambda ev: resumed.done() or resumed.set_result(ev))
        await c.start()
        await acontrol("/pump?on=1")
        self.addAsyncCleanup(c.close)
        try:
            await wait_for(lambda: len(got) >= 20, what="trades before the cut")
            await acontrol("/cut?ms=3000")
            cut_at = len(got)
            ev = await asyncio.wait_for(resumed, 30)
            self.assertEqual(ev["lost"], [])
            await wait_for(lambda: len(got) > cut_at + 100, 30, "trades after the resume")
        finally:
            await acontrol("/pump?on=0")
        pushed = (await acontrol("/push?n=0"))["last"]
        await wait_for(lambda: max(int(r["sid"]) for r in got) >= pushed, 30, "the last trade pushed")
        got = list(got)
        # a resume replays key by key: the newest trade is the highest id, not the last one received
        first, last = min(int(r["sid"]) for r in got), max(int(r["sid"]) for r in got)
        direct = await acontrol(f"/direct?from={first}&to={last}")
        for cd in SYMBOLS:
            mine = [(r["ep"], r["sq"]) for r in got if r["cd"] == cd]
            want = [(r["ep"], r["sq"]) for r in direct if r["cd"] == cd]
            self.assertEqual(mine, want, cd)
        self.assertGreater(len(direct), 150)
        self.assertEqual(gaps, [])

    async def test_4_gap_on_a_new_epoch(self):
        async with client(type="trade", snapshot=False) as c:
            gaps = []
            c.on("gap", gaps.append)
            await acontrol("/push?n=1")
            await wait_for(lambda: c.latest("feed", "BTC/KRW", "trade"), what="a first trade")
            await acontrol("/feed-reconnect")
            await acontrol("/push?n=1")
            await wait_for(lambda: any(g.cd == "BTC/KRW" for g in gaps), what="an epoch gap")
            g = next(g for g in gaps if g.cd == "BTC/KRW")
            self.assertEqual(g.reason, "epoch")
            self.assertGreater(g.to_ep, g.from_ep)

    async def test_5_reconnects_to_a_restarted_gateway_and_reports_what_it_lost(self):
        async with client(type="trade", snapshot=False) as c:
            gaps, opens = [], []
            c.on("gap", gaps.append)
            c.on("open", opens.append)
            await acontrol("/push?n=1")
            await wait_for(lambda: c.latest("feed", "ETH/KRW", "trade"), what="a first trade")
            old = c.latest("feed", "ETH/KRW", "trade")
            await acontrol("/restart")
            await wait_for(lambda: len(opens) >= 1, 30, "a reconnect")
            pushed = await acontrol("/push?n=1")
            await wait_for(lambda: (c.latest("feed", "ETH/KRW", "trade") or {}).get("sid") == str(pushed["last"]), 30, "a trade from the new gateway")
            self.assertGreater(c.latest("feed", "ETH/KRW", "trade")["ep"], old["ep"])
            self.assertTrue(any(g.cd == "ETH/KRW" and g.reason in ("lost", "epoch") for g in gaps), gaps)


if __name__ == "__main__":
    unittest.main()
