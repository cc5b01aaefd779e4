"""Calls released at the same moment, each on its own database connection (race tests)."""

import threading
from collections.abc import Callable

from django.db import connection


def run_concurrently(calls: list[Callable[[], object]]) -> list:
    """Run each call in its own thread, all released together; results (or exceptions) in order.

    Each thread opens its own database connection before the start line, so the calls really
    overlap on PostgreSQL, and closes it afterwards. An exception is returned in the call's
    place, for the test's assertions to report, rather than lost in its thread.
    """
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def worker(index: int) -> None:
        try:
            connection.ensure_connection()
            barrier.wait(timeout=10)
            results[index] = calls[index]()
        except Exception as exc:  # reported by the caller's assertions
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results
