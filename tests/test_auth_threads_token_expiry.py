"""16 threads calling while the token expires mid-flow (issue 12 items 15/16): every call
succeeds, the token is renewed exactly once, one sender and one pool serve them all."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import specclient.emulators

THREADS = 16
CALLS = 40


def test_sixteen_threads_share_one_refresh_when_the_token_expires_mid_flow() -> None:
    with specclient.emulators.running("habu", seed=3) as emu:
        client = emu.client(progress=False, token_cache=False)
        senders: set[int] = set()
        failures: list[BaseException] = []
        done = 0
        count_lock = threading.Lock()
        start = threading.Barrier(THREADS)

        def worker() -> None:
            nonlocal done
            start.wait()
            for _ in range(CALLS):
                try:
                    assert client.cleanrooms.list() == []
                except BaseException as error:  # reported below, with the others
                    failures.append(error)
                senders.add(id(client._sender))
                with count_lock:
                    done += 1
                    expire = done == THREADS * CALLS // 2
                if expire:  # half-way, while the other threads keep calling
                    with emu.app.lock:
                        emu.state.expire_tokens()

        threads = [threading.Thread(target=worker) for _ in range(THREADS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

        assert failures == []
        assert done == THREADS * CALLS
        # the first token, then exactly one renewal after the expiry: Habu's whole daily cap
        assert len(emu.state.token_issues) == 2
        assert client.auth.token_requests == 2
        assert len(senders) == 1
        pool = client._sender.client._transport._plain._pool
        assert 0 < len(pool.connections) <= THREADS
        client.close()
        assert pool.connections == []


async def test_two_hundred_tasks_share_one_refresh_when_the_token_expires_mid_flow() -> None:
    with specclient.emulators.running("habu", seed=4) as emu:
        async with emu.async_client(progress=False, token_cache=False) as client:
            await client.cleanrooms.list()  # the first token
            emu.state.expire_tokens()
            results: list[Any] = await asyncio.gather(
                *(client.cleanrooms.list() for _ in range(200)), return_exceptions=True
            )
            assert [r for r in results if r != []] == []
            assert len(emu.state.token_issues) == 2
            assert client.auth.token_requests == 2
