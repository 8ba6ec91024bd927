"""Rendering a print batch's chunk: one merged PDF for the chunk and each new certificate's own PDF taken out
of it, in this process or in a pool of processes (CERTIFICATE_WORKERS) when this process may have one."""
from __future__ import annotations

import io
import multiprocessing
import os
import threading
from concurrent.futures import Executor, ProcessPoolExecutor

from pypdf import PdfReader, PdfWriter

from .render import Design, Face, render_pages

_pool: Executor | None = None
_pool_lock = threading.Lock()


# ---- rendering, in worker processes ----

def _warm() -> None:
    from ..core import pdf
    pdf.register_fonts()


def ping(_: int = 0) -> int:
    """A no-op task that makes a pool process start (fonts registered); returns its pid."""
    _warm()
    return os.getpid()


def render_chunk(jobs: list[tuple[Design, Face, bool]]) -> tuple[list[bytes], bytes | None]:
    """(the own PDFs of the jobs marked new, in order; the chunk's print PDF or None when empty).

    The chunk is rendered once, as the print PDF (each design's fixed part drawn once); each new
    certificate's own PDF is its page taken out of it with pypdf, with the images, fonts and fixed part
    it uses. That is about a third less work than drawing every certificate twice.
    """
    if not jobs:
        return [], None
    merged = render_pages([(design, face) for design, face, _ in jobs])
    own = []
    if any(new for _, _, new in jobs):
        reader = PdfReader(io.BytesIO(merged))
        for (design, face, new), page in zip(jobs, reader.pages):
            if new:
                writer = PdfWriter()
                writer.add_page(page)
                writer.add_metadata({"/Title": face.title or face.holder, "/Author": design.issuer,
                                     "/Creator": "fairapp"})
                out = io.BytesIO()
                writer.write(out)
                own.append(out.getvalue())
    return own, merged


def pool(workers: int) -> Executor | None:
    """The process pool that renders chunks (None: render in this process). Spawned, not forked: the
    app may have threads and open database connections that a fork would copy."""
    global _pool
    if workers <= 1:
        return None
    with _pool_lock:
        if _pool is None:
            _pool = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"),
                                        initializer=_warm)
        return _pool


def shutdown_pool(wait: bool = True) -> None:
    global _pool
    with _pool_lock:
        if _pool is not None:
            _pool.shutdown(wait=wait, cancel_futures=not wait)
            _pool = None
