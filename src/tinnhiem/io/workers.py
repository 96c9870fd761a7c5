"""Writing many independent files (one set per session) in worker processes. Each file's bytes
depend only on its own job, so the pool gives the same files as one process, faster."""

from __future__ import annotations

import os
from concurrent.futures import ProcessPoolExecutor
from typing import Callable


# How worker processes start: None is the platform's default, "fork" on Linux and "spawn" on
# Windows and macOS (a fresh interpreter that imports the package again). Tests set "spawn" to
# run the Windows path on Linux.
START_METHOD: str | None = None


def pool_size(jobs: int, parallel_from: int, workers: int | None = None) -> int:
    """How many worker processes `jobs` jobs get: none below `parallel_from` jobs (there,
    starting processes costs more than it saves), else one per processor, at most 4 and at most
    one per job."""
    most = most_workers() if workers is None else workers
    if jobs < parallel_from or most <= 1:
        return 0
    return min(most, jobs)


def most_workers() -> int:
    return min(os.cpu_count() or 1, 4)


class Pool:
    """Worker processes that write jobs given later. prepare() (imports, fonts: what every job
    needs first) runs in each worker as it starts: a pool started before the command reads its
    input gets ready while the input is read, and the command's own process never loads the
    writers (nor holds their memory at its peak). A pool started when the jobs are known, after
    prepare() ran here, has forked workers inherit it."""

    def __init__(self, workers: int, prepare: Callable[[], None] | None = None, behind: bool = False):
        context = None
        if START_METHOD:
            import multiprocessing

            context = multiprocessing.get_context(START_METHOD)
        self.workers = workers
        self.executor = ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_worker_start,
                                            initargs=(os.getpid(), prepare, behind))
        # Start the processes now: one task each ("fork" starts them all at the first task).
        try:
            for _ in range(workers):
                self.executor.submit(_ready)
        except BaseException:  # Ctrl+C or SIGTERM while they start
            self.close()
            raise

    def map(self, write: Callable, jobs: list) -> list:
        """write(job) for every job, in the workers; what each returned, in the order of the jobs.
        `write` must be a module-level function (picklable)."""
        chunksize = max(1, min(32, len(jobs) // (self.workers * 8)))
        try:
            return list(self.executor.map(write, jobs, chunksize=chunksize))
        except BaseException:
            # An error in one job, Ctrl+C or SIGTERM: the queued jobs are dropped; the workers
            # end their current one (waiting for them, so that none writes after the caller has
            # removed its staging folder).
            self.close()
            raise

    def close(self, wait: bool = True) -> None:
        """Stop the workers; wait: until they have ended (an unfinished run must, so that none
        writes after it has removed its staging folder)."""
        self.executor.shutdown(wait=wait, cancel_futures=True)


def run_jobs(write: Callable, jobs: list, parallel_from: int, workers: int | None = None,
             prepare: Callable[[], None] | None = None, pool: Pool | None = None) -> list:
    """Call write(job) for every job; in worker processes when there are enough jobs (pool_size),
    or in `pool` when one was started for them. Returns what each call returned, in the order of
    the jobs.

    `write` must be a module-level function (picklable). prepare(): what every job needs first,
    made in this process before the workers start, so that forked workers inherit it; by
    default the fonts of the ballots and of the documents."""
    if pool is not None:
        return pool.map(write, jobs)
    workers = pool_size(len(jobs), parallel_from, workers)
    if not workers:
        return [write(job) for job in jobs]
    (prepare or _prepare_fonts)()
    pool = Pool(workers, prepare)
    results = pool.map(write, jobs)
    pool.close()
    return results


def _ready() -> None:
    """A worker's first task: nothing (it has started, and prepared)."""


def _prepare_fonts() -> None:
    """Parse both families once (DejaVu, Liberation Serif for the ballots and the ND 30
    documents): forked workers inherit them instead of each reducing the fonts again."""
    from tinnhiem.io.nd30 import new_document_pdf
    from tinnhiem.io.pdf import new_pdf

    new_pdf(fast_fonts=True)
    new_document_pdf()


PARENT_POLL_SECONDS = 0.2


def _worker_start(parent: int, prepare: Callable[[], None] | None = None, behind: bool = False) -> None:
    """In each worker: Ctrl+C and SIGTERM are the parent's to handle (it stops the pool), and
    the worker ends when the parent is gone; then prepare(). An error there is left for the job
    that needs the same thing to meet and report (an error in a pool's initializer would break
    the pool with no message of its own). behind: the worker yields the processor to the parent
    (a pool started before the input is read must not slow the reading and counting that its
    jobs wait for; once they come, the parent only waits)."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    _watch_parent(parent)
    if behind and hasattr(os, "nice"):  # Windows has no nice(): the workers keep the parent's priority
        os.nice(5)
    if prepare is not None:
        try:
            prepare()
        except Exception:  # noqa: BLE001 - the job doing the same work reports it
            pass


def _watch_parent(parent: int) -> None:
    """End the worker as soon as the process that started it is gone (killed
    with SIGKILL, which it cannot pass on), instead of writing on for a run that is over. A
    thread that asks the system for the parent's id is the portable way: on Linux and macOS the
    id changes when the parent dies; on Windows, where it does not, the parent is polled."""
    import threading

    def watch():
        import time

        while True:
            time.sleep(PARENT_POLL_SECONDS)
            if not _parent_alive(parent):
                os._exit(1)

    threading.Thread(target=watch, name="tinnhiem-parent-watch", daemon=True).start()


def _parent_alive(parent: int) -> bool:
    if os.name != "nt":
        return os.getppid() == parent
    from tinnhiem.io.atomic import _alive

    return _alive(parent) is not False
