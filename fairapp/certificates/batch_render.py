"""Rendering a print batch's chunk: one merged PDF for the chunk and each new certificate's own PDF taken out
of it, in this process or in a pool of processes (CERTIFICATE_WORKERS) when this process may have one;
joining the chunks into the batch's file, streamed (`merge_pdfs`); and small stored certificates (`pack`:
a certificate's PDF with the artwork every certificate shares cut out and stored once)."""
from __future__ import annotations

import hashlib
import io
import json
import multiprocessing
import os
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import Executor, ProcessPoolExecutor
from typing import BinaryIO

from pypdf import PdfReader
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
    certificate's own PDF is its page copied out of it (`single_page`: the images, fonts and fixed part it
    uses, written as they are). That is much less work than drawing every certificate twice.
    """
    if not jobs:
        return [], None
    merged = render_pages([(design, face) for design, face, _ in jobs])
    own = []
    if any(new for _, _, new in jobs):
        reader = PdfReader(io.BytesIO(merged))
        for (design, face, new), page in zip(jobs, reader.pages):
            if new:
                own.append(single_page(page, face.title or face.holder, design.issuer))
    return own, merged


def single_page(page, title: str, author: str) -> bytes:
    """A one-page PDF of this page of a PDF read with pypdf (its objects copied as they are: deterministic)."""
    out = io.BytesIO()
    writer = _Merger(out, share=False)
    writer.add_page(page, {})
    writer.finish(title, author)
    return out.getvalue()


# ---- joining chunk PDFs, streamed ----

_INHERITED = ("/Resources", "/MediaBox", "/CropBox", "/Rotate")
SHARE_MIN = 1024  # streams at least this long are written once per merged file (artwork, fonts that repeat)


class _Merger:
    """Writes the pages of several PDFs into one file as it goes: each source is read, its pages' objects
    are written and forgotten, so memory holds one source at a time (plus one offset per object written).
    A stream already written (the same bytes and dictionary: the background, the emblems, the signatures
    every chunk carries) is written once and shared, so the result is about one render's size."""

    def __init__(self, out: BinaryIO, *, share: bool = True):
        self.out = out
        self.share = share
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
        if self.share and isinstance(copy, StreamObject) and len(copy._data) >= SHARE_MIN:
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
            self.add_page(page, ids)
        return len(reader.pages)

    def add_page(self, page, ids: dict[int, int]) -> None:
        """Append one page of a source (`ids`: that source's objects already written, by their number)."""
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

    def finish(self, title: str, author: str = "") -> None:
        pages = DictionaryObject({NameObject("/Type"): NameObject("/Pages"),
                                  NameObject("/Kids"): ArrayObject(IndirectObject(k, 0, None) for k in self.kids),
                                  NameObject("/Count"): NumberObject(len(self.kids))})
        self._write(self.pages_id, pages)
        root = self._new_id()
        self._write(root, DictionaryObject({NameObject("/Type"): NameObject("/Catalog"),
                                            NameObject("/Pages"): IndirectObject(self.pages_id, 0, None)}))
        info = self._new_id()
        meta = {NameObject("/Title"): TextStringObject(title), NameObject("/Creator"): TextStringObject("fairapp")}
        if author:
            meta[NameObject("/Author")] = TextStringObject(author)
        self._write(info, DictionaryObject(meta))
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


# ---- small stored certificates: the artwork once, shared by every certificate that shows it ----

PACK_MAGIC = b"%fairapp-pack 1\n"
_blob_cache: dict[str, bytes] = {}
_blob_lock = threading.Lock()
_known_blobs: set[tuple[str, str]] = set()  # (store, digest) known to be stored


def artwork_streams(designs) -> list[bytes]:
    """The image streams (and their soft masks) the designs' pages carry, exactly as a PDF of this process
    writes them (core.pdf builds each once per process; the same file gives the same bytes anywhere)."""
    from ..core import pdf

    streams: list[bytes] = []
    for design in designs:
        images = [(design.background, None)] if design.background else []
        images += [(path, "auto") for path in design.logos]
        images += [(s.signature, "auto") for s in design.signatories if s.signature]
        for path, mask in images:
            try:
                obj, smask = pdf._image_object(path, mask)
            except OSError:
                continue
            streams += [o.streamContent for o in (obj, smask) if o is not None
                        and isinstance(o.streamContent, bytes) and len(o.streamContent) >= SHARE_MIN]
    return streams


def blob_key(digest: str) -> str:
    """The storage key of a shared stream: its SHA-256 (the first 32 hex digits), so it is stored once."""
    return f"{digest[:32]}.pdf"


def pack(data: bytes, streams: list[bytes]) -> bytes:
    """The PDF with each of the shared streams it contains cut out and named by its SHA-256: a small file
    that `unpack` turns back into exactly these bytes (the stored SHA-256 of the PDF stays true)."""
    cuts, taken = [], []
    for stream in set(streams):
        at = data.find(stream)
        if at >= 0 and not any(a < at + len(stream) and at < b for a, b in taken):
            taken.append((at, at + len(stream)))
            cuts.append((at, len(stream), hashlib.sha256(stream).hexdigest()))
    if not cuts:
        return data
    cuts.sort()
    body, last = [], 0
    for at, length, _ in cuts:
        body.append(data[last:at])
        last = at + length
    body.append(data[last:])
    header = json.dumps([[at, length, digest] for at, length, digest in cuts], separators=(",", ":")).encode()
    return PACK_MAGIC + header + b"\n" + b"".join(body)


def unpack(stored: bytes, read_blob: Callable[[str], bytes]) -> bytes:
    """The PDF a pack stands for (a stored PDF that is not a pack: as it is)."""
    if not stored.startswith(PACK_MAGIC):
        return stored
    end = stored.index(b"\n", len(PACK_MAGIC))
    cuts = json.loads(stored[len(PACK_MAGIC):end])
    body = memoryview(stored)[end + 1:]
    out, taken, last = [], 0, 0
    for at, length, digest in cuts:
        piece = at - last  # bytes of the body before this cut
        out.append(body[taken:taken + piece])
        taken += piece
        out.append(read_blob(digest))
        last = at + length
    out.append(body[taken:])
    return b"".join(out)


def read_certificate(store, key: str) -> bytes:
    """A stored certificate's PDF, byte for byte as issued (a pack is put back together; its shared
    streams are kept in memory once read: a few pieces of artwork per fair)."""
    def read_blob(digest: str) -> bytes:
        with _blob_lock:
            data = _blob_cache.get(digest)
        if data is None:
            data = store.read(blob_key(digest))
            if hashlib.sha256(data).hexdigest() != digest:
                raise ValueError(f"shared stream {digest[:12]} does not match its name")
            with _blob_lock:
                if len(_blob_cache) >= 64:
                    _blob_cache.clear()
                _blob_cache[digest] = data
        return data
    return unpack(store.read(key), read_blob)


def save_blobs(store, streams: list[bytes]) -> None:
    """Store each shared stream once, under its SHA-256 (kept: certificates of any batch may name it)."""
    for stream in streams:
        digest = hashlib.sha256(stream).hexdigest()
        marker = (str(getattr(store, "root", "") or getattr(store, "bucket", "") or store.kind), digest)
        if marker in _known_blobs:
            continue
        key = blob_key(digest)
        if not store.exists(key):
            store._put(key, stream)  # a fixed key: never rolled back, never deleted (shared)
        _known_blobs.add(marker)


def save_packed(planned, pdfs: list[bytes], actor, fair):
    """ops.save_new with each certificate stored small (batch_render.pack: the artwork every certificate
    shows stored once); the row's SHA-256 is of the PDF itself, which batch_render.read_certificate gives
    back byte for byte."""
    from ..core import audit
    from ..core.storage import storage
    from ..extensions import db

    store = storage()
    new = [p for p in planned if p.new is not None]
    if len(new) != len(pdfs):
        raise ValueError("one PDF for each new certificate")
    streams = artwork_streams({p.design for p in new})
    save_blobs(store, streams)
    for item, data in zip(new, pdfs):
        item.new.pdf_key = store.save(pack(data, streams), "pdf")
        item.new.pdf_sha256 = hashlib.sha256(data).hexdigest()
        db.session.add(item.new)
        item.certificate = item.new
    if new:
        db.session.flush()
        audit.record("certificates.issued", actor=actor, fair_id=fair.id,
                     object_type="certificates", after={"serials": [p.new.serial for p in new]})
    return [p.certificate for p in planned]
