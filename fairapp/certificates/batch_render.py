"""Rendering a print batch's chunk: one merged PDF for the chunk and each new certificate's own PDF taken out
of it, in this process or in a pool of processes (CERTIFICATE_WORKERS) when this process may have one."""
from __future__ import annotations

import hashlib
import io
import multiprocessing
import os
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import Executor, ProcessPoolExecutor
from typing import BinaryIO

from pypdf import PdfReader, PdfWriter
from pypdf.generic import (ArrayObject, DictionaryObject, IndirectObject, NameObject, NumberObject, StreamObject,
                           TextStringObject)

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


# ---- joining chunk PDFs, streamed ----

_INHERITED = ("/Resources", "/MediaBox", "/CropBox", "/Rotate")
SHARE_MIN = 1024  # streams at least this long are written once per merged file (artwork, fonts that repeat)


class _Merger:
    """Writes the pages of several PDFs into one file as it goes: each source is read, its pages' objects
    are written and forgotten, so memory holds one source at a time (plus one offset per object written).
    A stream already written (the same bytes and dictionary: the background, the emblems, the signatures
    every chunk carries) is written once and shared, so the result is about one render's size."""

    def __init__(self, out: BinaryIO):
        self.out = out
        self.offsets: list[int] = [0]
        self.shared: dict[bytes, int] = {}
        self.pages_id = self._new_id()
        self.kids: list[int] = []
        out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")

    def _new_id(self) -> int:
        self.offsets.append(0)
        return len(self.offsets) - 1

    def _write(self, number: int, obj) -> None:
        self.offsets[number] = self.out.tell()
        self.out.write(f"{number} 0 obj\n".encode())
        obj.write_to_stream(self.out)
        self.out.write(b"\nendobj\n")

    def _copy(self, obj, ids: dict[int, int]):
        """The object with its references turned into this file's numbers (their objects written first)."""
        if isinstance(obj, IndirectObject):
            return IndirectObject(self._object(obj, ids), 0, None)
        if isinstance(obj, StreamObject):
            copy = StreamObject()
            copy.update({NameObject(k): self._copy(v, ids) for k, v in obj.items() if k != "/Length"})
            copy._data = obj._data
            return copy
        if isinstance(obj, DictionaryObject):
            return DictionaryObject({NameObject(k): self._copy(v, ids) for k, v in obj.items()})
        if isinstance(obj, ArrayObject):
            return ArrayObject(self._copy(v, ids) for v in obj)
        return obj

    def _object(self, ref: IndirectObject, ids: dict[int, int]) -> int:
        """This file's number for a source object, written once (a shared stream: once in the file)."""
        if ref.idnum in ids:
            return ids[ref.idnum]
        ids[ref.idnum] = -1  # being copied (a cycle would point here: give it its number now)
        copy = self._copy(ref.get_object(), ids)
        known = ids[ref.idnum]
        key = None
        if isinstance(copy, StreamObject) and len(copy._data) >= SHARE_MIN:
            buffer = io.BytesIO()
            DictionaryObject.write_to_stream(copy, buffer)
            key = hashlib.sha256(buffer.getvalue() + b"\0" + copy._data).digest()
            if key in self.shared and known == -1:
                ids[ref.idnum] = self.shared[key]
                return ids[ref.idnum]
        number = known if known != -1 else self._new_id()
        ids[ref.idnum] = number
        if key is not None:
            self.shared[key] = number
        self._write(number, copy)
        return number

    def add(self, data: bytes) -> int:
        """Append the source PDF's pages; returns how many."""
        reader = PdfReader(io.BytesIO(data))
        ids: dict[int, int] = {}
        for page in reader.pages:
            own = DictionaryObject({NameObject(k): v for k, v in page.items() if k != "/Parent"})
            for key in _INHERITED:  # what a page may inherit from its tree, written on the page itself
                node = page
                while key not in own and node is not None:
                    if key in node:
                        own[NameObject(key)] = node.raw_get(key)
                    parent = node.get("/Parent")
                    node = parent.get_object() if parent is not None else None
            copy = self._copy(own, ids)
            copy[NameObject("/Parent")] = IndirectObject(self.pages_id, 0, None)
            number = self._new_id()
            self._write(number, copy)
            self.kids.append(number)
        return len(reader.pages)

    def finish(self, title: str) -> None:
        pages = DictionaryObject({NameObject("/Type"): NameObject("/Pages"),
                                  NameObject("/Kids"): ArrayObject(IndirectObject(k, 0, None) for k in self.kids),
                                  NameObject("/Count"): NumberObject(len(self.kids))})
        self._write(self.pages_id, pages)
        root = self._new_id()
        self._write(root, DictionaryObject({NameObject("/Type"): NameObject("/Catalog"),
                                            NameObject("/Pages"): IndirectObject(self.pages_id, 0, None)}))
        info = self._new_id()
        self._write(info, DictionaryObject({NameObject("/Title"): TextStringObject(title),
                                            NameObject("/Creator"): TextStringObject("fairapp")}))
        start = self.out.tell()
        self.out.write(f"xref\n0 {len(self.offsets)}\n0000000000 65535 f \n".encode())
        self.out.write(b"".join(f"{offset:010d} 00000 n \n".encode() for offset in self.offsets[1:]))
        self.out.write(f"trailer\n<< /Size {len(self.offsets)} /Root {root} 0 R /Info {info} 0 R >>\n"
                       f"startxref\n{start}\n%%EOF\n".encode())


def merge_pdfs(sources: Iterable[Callable[[], bytes]], out: BinaryIO, title: str) -> int:
    """Join the pages of the sources (each read when its turn comes) into `out`, streamed, each repeated
    stream (artwork) once; returns the number of pages (0: nothing was written worth keeping)."""
    merger = _Merger(out)
    for source in sources:
        merger.add(source())
    merger.finish(title)
    return len(merger.kids)


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
