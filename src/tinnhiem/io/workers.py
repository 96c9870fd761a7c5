"""Writing many independent files (one set per session) in worker processes. Each file's bytes
depend only on its own job, so the pool gives the same files as one process, faster."""

from __future__ import annotations

import os
from typing import Callable


# How worker processes start: None is the platform's default, "fork" on Linux and "spawn" on
# Windows and macOS (a fresh interpreter that imports the package again). Tests set "spawn" to
# run the Windows path on Linux.
START_METHOD: str | None = None


_WARMING: list = []  # threads started by warm_up, not yet waited for


def warm_up(prepare: Callable[[], None]) -> None:
    """Run prepare() (imports, fonts: what every job will need first) in a background thread
    while the caller goes on reading its input; run_jobs waits for it before the first job.
    Reading a large file spends much of its time outside Python (the CSV parser), where the
    thread runs; on a small one it costs what the first job would have spent anyway. An error
    in prepare() is left for the job that needs the same thing to meet and report."""
    import threading

    def quietly():
        try:
            prepare()
        except Exception:  # noqa: BLE001 - the job doing the same work reports it
            pass

    thread = threading.Thread(target=quietly, name="tinnhiem-warm-up", daemon=True)
    thread.start()
    _WARMING.append(thread)


def wait_warm() -> None:
    """Wait for every warm_up thread (before the first job, and before worker processes are
    forked: a fork while another thread holds an import lock could leave the child stuck)."""
    while _WARMING:
        _WARMING.pop().join()


def pool_size(jobs: int, parallel_from: int, workers: int | None = None) -> int:
    """How many worker processes `jobs` jobs get: none below `parallel_from` jobs (there,
    starting processes costs more than it saves), else one per processor, at most 4 and at most
    one per job."""
    most = min(os.cpu_count() or 1, 4) if workers is None else workers
    if jobs < parallel_from or most <= 1:
        return 0
    return min(most, jobs)


def run_jobs(write: Callable, jobs: list, parallel_from: int, workers: int | None = None,
             prepare: Callable[[], None] | None = None) -> list:
    """Call write(job) for every job; in worker processes when there are enough jobs (pool_size).
    Returns what each call returned, in the order of the jobs.

    `write` must be a module-level function (picklable). prepare(): what every job needs first
    (fonts), made in this process before the workers start, so that forked workers inherit it;
    by default the fonts of the ballots and of the documents."""
    wait_warm()
    workers = pool_size(len(jobs), parallel_from, workers)
    if not workers:
        return [write(job) for job in jobs]
    from concurrent.futures import ProcessPoolExecutor

    (prepare or _prepare_fonts)()
    chunksize = max(1, min(32, len(jobs) // (workers * 8)))
    context = None
    if START_METHOD:
        import multiprocessing

        context = multiprocessing.get_context(START_METHOD)
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_worker_start, initargs=(os.getpid(),))
    try:
        results = list(pool.map(write, jobs, chunksize=chunksize))
    except BaseException:
        # An error in one job, Ctrl+C or SIGTERM: the queued jobs are dropped; the workers end
        # their current one (waiting for them, so that none writes after the caller has
        # removed its staging folder).
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    pool.shutdown(wait=True)
    return results


def _prepare_fonts() -> None:
    """Parse both families once (DejaVu, Liberation Serif for the ballots and the ND 30
    documents): forked workers inherit them instead of each reducing the fonts again."""
    from tinnhiem.io.nd30 import new_document_pdf
    from tinnhiem.io.pdf import new_pdf

    new_pdf(fast_fonts=True)
    new_document_pdf()


PARENT_POLL_SECONDS = 0.2


def _worker_start(parent: int) -> None:
    """In each worker: Ctrl+C and SIGTERM are the parent's to handle (it stops the pool), and
    the worker ends when the parent is gone."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    _watch_parent(parent)


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
