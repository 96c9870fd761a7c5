"""Writing many independent files (one set per session) in worker processes. Each file's bytes
depend only on its own job, so the pool gives the same files as one process, faster."""

from __future__ import annotations

import os
from typing import Callable


# How worker processes start: None is the platform's default, "fork" on Linux and "spawn" on
# Windows and macOS (a fresh interpreter that imports the package again). Tests set "spawn" to
# run the Windows path on Linux.
START_METHOD: str | None = None


def run_jobs(write: Callable, jobs: list, parallel_from: int, workers: int | None = None) -> list:
    """Call write(job) for every job; in up to 4 worker processes when there are enough jobs.
    Returns what each call returned, in the order of the jobs.

    `write` must be a module-level function (picklable)."""
    workers = min(os.cpu_count() or 1, 4) if workers is None else workers
    if len(jobs) < parallel_from or workers <= 1:
        return [write(job) for job in jobs]
    from concurrent.futures import ProcessPoolExecutor

    from tinnhiem.io.pdf import new_pdf

    new_pdf(fast_fonts=True)  # parse the fonts once; forked workers inherit them
    chunksize = max(1, min(32, len(jobs) // (workers * 8)))
    context = None
    if START_METHOD:
        import multiprocessing

        context = multiprocessing.get_context(START_METHOD)
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        return list(pool.map(write, jobs, chunksize=chunksize))
