"""Rendering a print batch's chunk: one merged PDF for the chunk and each new certificate's own PDF taken out
of it, in this process or in a pool of processes (CERTIFICATE_WORKERS) when this process may have one;
joining the chunks into the batch's file, streamed (`merge_pdfs`); and small stored certificates (`pack`:
a certificate's PDF with the artwork every certificate shares cut out and stored once; a chunk's packs are
one stored file, certificates.bundles)."""
from __future__ import annotations

import hashlib
import io
import json
import multiprocessing
import os
import re
import threading
from collections.abc import Callable
from concurrent.futures import Executor, ProcessPoolExecutor
from typing import NamedTuple

from pypdf import PdfReader

from .pdf_copy import SHARE_MIN, PlainPdf, merge_pdfs, single_page  # noqa: F401 (merge_pdfs: re-exported)
from .render import Design, Face, render_pages

_pool: Executor | None = None
_CONTENTS = re.compile(rb"/Contents\s*(\d+ 0 R|\[[^\]]*\])")
_REFS = re.compile(rb"(\d+) 0 R")
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
    return own_pages(jobs, merged), merged


def own_pages(jobs: list[tuple[Design, Face, bool]], merged: bytes) -> list[bytes]:
    """The own PDFs of the jobs marked new, out of their chunk's PDF `merged`: PlainPdf's copy (the
    objects' bytes as they are), else pypdf's (single_page)."""
    if not any(new for _, _, new in jobs):
        return []
    try:
        source = PlainPdf(merged)
        if len(source.pages) != len(jobs):
            raise ValueError("one page per job")
        return [_own_pdf(source, source.page_pdf(index, face.title or face.holder, design.issuer))
                for index, (design, face, new) in enumerate(jobs) if new]
    except (ValueError, KeyError, AttributeError, IndexError):
        reader = PdfReader(io.BytesIO(merged))
        return [single_page(page, face.title or face.holder, design.issuer)
                for (design, face, new), page in zip(jobs, reader.pages) if new]


class OwnPdf(bytes):
    """A certificate's own PDF copied out of its chunk's PDF by PlainPdf: its bytes, and `streams`, where its
    big streams are ((at, length, SHA-256) of each stream of at least SHARE_MIN bytes, hashed once per chunk
    in the chunk's PDF), so packing it (`stored_forms`) neither searches it nor hashes its streams again."""

    streams: tuple[tuple[int, int, str], ...] | None = None


def _own_pdf(source: PlainPdf, data: bytes) -> OwnPdf:
    """page_pdf's bytes as an OwnPdf: its objects are the source's, byte for byte under the same numbers
    (page_pdf copies them), so each stream's place is its object's place in this file plus where the stream
    starts in the object, and its SHA-256 the one the source computed (once for the whole chunk)."""
    own = OwnPdf(data)
    try:
        copy = PlainPdf(data)
        cuts = []
        for n, (start, end) in copy.spans.items():
            span = source.spans.get(n)
            stream = source.stream(n) if span is not None and span[1] - span[0] == end - start else None
            if stream is not None:
                cuts.append((start + stream[0], stream[1], stream[2]))
        own.streams = tuple(sorted(cuts))
    except (ValueError, KeyError, AttributeError, IndexError):
        own.streams = None  # packed by searching (pack_known)
    return own


class Stored(NamedTuple):
    """A new certificate as it is stored: `data` (its PDF, or with CERTIFICATE_PACKED its pack) and the
    SHA-256 of its PDF (what the row keeps and a download checks)."""

    data: bytes
    sha256: str


def stored_forms(jobs: list[tuple[Design, Face, bool]], own: list[bytes], packed: bool,
                 shared: dict[str, bytes] | None = None) -> list[Stored]:
    """The new certificates' PDFs (`own`, from render_chunk) as they are stored: hashed, and packed when
    `packed` (the streams `shared` names cut out, by default the artwork: `pack`). Runs where the chunk
    rendered (a render process), so the process that stores them only writes."""
    if not packed:
        return [Stored(bytes(data), hashlib.sha256(data).hexdigest()) for data in own]
    shared = shared_streams(jobs) if shared is None else shared
    streams, digests = list(shared.values()), frozenset(shared)
    return [Stored(_pack_own(data, digests, streams), hashlib.sha256(data).hexdigest()) for data in own]


def _pack_own(data: bytes, shared: frozenset[str], streams: list[bytes]) -> bytes:
    """pack_known(data, ...), from where an OwnPdf's streams are (nothing searched, nothing hashed again)."""
    known = getattr(data, "streams", None)
    if known is None:
        return pack_known(data, shared, streams)
    return _packed(bytes(data), [[at, length, digest] for at, length, digest in known if digest in shared])


def shared_streams(jobs: list[tuple[Design, Face, bool]]) -> dict[str, bytes]:
    """The artwork streams the new certificates' packs leave out, by SHA-256: what the storing process saves
    once (save_packed), handed over by the render process so that it never builds them itself."""
    return {hashlib.sha256(stream).hexdigest(): stream
            for stream in artwork_streams({design for design, _, new in jobs if new})}


def pack_known(data: bytes, shared: frozenset[str], streams: list[bytes]) -> bytes:
    """`pack(data, streams)`, the cuts found from where the PDF's streams are (PlainPdf: each stream
    hashed once, nothing searched) when it can read the file; else by `pack`'s search."""
    try:
        source = PlainPdf(data)
        cuts = []
        for n, (start, _) in sorted(source.spans.items(), key=lambda item: item[1][0]):
            stream = source.stream(n)
            if stream is not None and stream[2] in shared:
                cuts.append([start + stream[0], stream[1], stream[2]])
    except (ValueError, KeyError, AttributeError, IndexError):
        return pack(data, streams)
    return _packed(data, cuts)


def render_for_store(jobs: list[tuple[Design, Face, bool]], packed: bool, render=None
                     ) -> tuple[list[Stored], bytes | None, dict[str, bytes] | None]:
    """render_chunk (or `render`), the new certificates in their stored form (stored_forms), and with
    `packed` what their packs leave out (left_out, for save_packed): what a render process gives back for
    a chunk, so the process that stores it only writes."""
    own, merged = (render or render_chunk)(jobs)
    shared = left_out(jobs, merged) if packed and own else None
    return stored_forms(jobs, own, packed, shared), merged, shared


def left_out(jobs: list[tuple[Design, Face, bool]], merged: bytes) -> dict[str, bytes]:
    """What the packs of a chunk's new certificates leave out, by SHA-256: every stream of the chunk's PDF
    but the pages' own (resource_streams), else the artwork (shared_streams)."""
    return resource_streams(merged) or shared_streams(jobs)


def resource_streams(merged: bytes) -> dict[str, bytes]:
    """The streams of a chunk's PDF that are not a page's own contents, by SHA-256: the artwork, the fonts
    and each design's fixed part, the same bytes in every chunk (core.pdf.prime makes the fonts so), which
    the new certificates' packs leave out and the store keeps once. Empty for a file PlainPdf cannot
    read (left_out then takes the artwork only)."""
    try:
        source = PlainPdf(merged)
        contents: set[int] = set()
        for page in source.pages:
            found = _CONTENTS.search(source._head(page))
            if found is None:
                raise ValueError("a page without contents")
            contents.update(int(n) for n in _REFS.findall(found.group(1)))
        streams = {}
        for n, (start, _) in source.spans.items():
            stream = source.stream(n) if n not in contents else None
            if stream is not None:
                streams[stream[2]] = merged[start + stream[0]:start + stream[0] + stream[1]]
        return streams
    except (ValueError, KeyError, AttributeError, IndexError):
        return {}


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
    return _packed(data, cuts)


def _packed(data: bytes, cuts: list) -> bytes:
    """The pack of `data` with these cuts ([at, length, SHA-256] of streams of it, not overlapping)."""
    if not cuts:
        return data
    cuts = sorted(cuts)
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
    """A stored certificate's PDF, byte for byte as issued, from its `pdf_key` (its own file or its part of
    a bundle: certificates.bundles); a pack is put back together, its shared streams kept in memory once
    read (a few pieces of artwork, fonts and fixed parts per fair)."""
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
    from . import bundles

    return unpack(bundles.read(store, key), read_blob)


def save_blobs(store, streams: list[bytes] | dict[str, bytes]) -> None:
    """Store each shared stream once, under its SHA-256 (kept: certificates of any batch may name it);
    `streams` may come by their SHA-256 already (shared_streams)."""
    for digest, stream in (streams.items() if isinstance(streams, dict)
                           else ((hashlib.sha256(stream).hexdigest(), stream) for stream in streams)):
        marker = (str(getattr(store, "root", "") or getattr(store, "bucket", "") or store.kind), digest)
        if marker in _known_blobs:
            continue
        key = blob_key(digest)
        if not store.exists(key):
            store.put_shared(key, stream)  # named by its content: never rolled back, never deleted
        _known_blobs.add(marker)


def save_packed(planned, pdfs: list[bytes | Stored], actor, fair, shared: dict[str, bytes] | None = None):
    """ops.save_new with each certificate stored small (batch_render.pack: the artwork every certificate
    shows stored once), packed here or already (a Stored of stored_forms); the row's SHA-256 is of the
    PDF itself, which batch_render.read_certificate gives back byte for byte. `shared`: what the packs
    leave out, by SHA-256, as the render process gave it (left_out); else the artwork, built here."""
    from ..core import audit
    from ..core.storage import storage
    from ..extensions import db

    store = storage()
    new = [p for p in planned if p.new is not None]
    if len(new) != len(pdfs):
        raise ValueError("one PDF for each new certificate")
    if shared is not None and all(isinstance(data, Stored) for data in pdfs):
        save_blobs(store, shared)
        streams: list[bytes] = []
    else:
        streams = artwork_streams({p.design for p in new})
        save_blobs(store, streams)
    forms = [data if isinstance(data, Stored) else Stored(pack(data, streams), hashlib.sha256(data).hexdigest())
             for data in pdfs]
    from . import bundles

    for item, stored, key in zip(new, forms, bundles.save(store, [f.data for f in forms])):
        item.new.pdf_key = key
        item.new.pdf_sha256 = stored.sha256
        db.session.add(item.new)
        item.certificate = item.new
    if new:
        db.session.flush()
        audit.record("certificates.issued", actor=actor, fair_id=fair.id,
                     object_type="certificates", after={"serials": [p.new.serial for p in new]})
    return [p.certificate for p in planned]
