"""The iterators' queues: they hold values from the moment they are made, end after what they hold, fail a consumer
that falls behind with QUEUE_OVERFLOW, and an iterator made after the end ends at once."""

import asyncio
import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from market_gateway.queues import QueueSet  # noqa: E402
from market_gateway.wire import ClientError  # noqa: E402


async def collect(it):
    return [v async for v in it]


class QueueSetTest(unittest.IsolatedAsyncioTestCase):
    async def test_an_iterator_holds_what_came_before_its_first_anext_and_ends_after_it(self):
        qs = QueueSet(max_queue=10)
        it = qs.iterate()
        qs.push(1)
        qs.push(2)
        qs.end()
        self.assertEqual(await collect(it), [1, 2])

    async def test_a_consumer_that_falls_behind_gets_queue_overflow_and_no_more(self):
        qs = QueueSet(max_queue=3)
        slow, fine = qs.iterate(), qs.iterate()
        got = []
        for v in range(3):
            qs.push(v)
            got.append(await fine.__anext__())
        qs.push(3)  # the slow one holds 3 already
        self.assertEqual(await fine.__anext__(), 3)
        self.assertEqual([await slow.__anext__() for _ in range(3)], [0, 1, 2])
        with self.assertRaises(ClientError) as caught:
            await slow.__anext__()
        self.assertEqual(caught.exception.code, "QUEUE_OVERFLOW")
        self.assertEqual(got, [0, 1, 2])

    async def test_an_iterator_made_after_the_end_ends_at_once(self):
        qs = QueueSet(max_queue=10)
        qs.end()
        qs.push(1)
        self.assertEqual(await asyncio.wait_for(collect(qs.iterate()), 2), [])


if __name__ == "__main__":
    unittest.main()
