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
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from typing import NamedTuple

from pypdf import PdfReader

from .pdf_copy import SHARE_MIN, PageSet, PlainPdf, merge_pdfs, single_page  # noqa: F401 (merge_pdfs: re-exported)
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
    certificate's own PDF is its page copied out of it (PageSet: the images, fonts and fixed part it
    uses, written as they are). That is much less work than drawing every certificate twice.
    """
    if not jobs:
        return [], None
    merged = render_pages([(design, face) for design, face, _ in jobs])
    return own_pages(jobs, merged), merged


def own_pages(jobs: list[tuple[Design, Face, bool]], merged: bytes) -> list[bytes]:
    """The own PDFs of the jobs marked new, out of their chunk's PDF `merged`: PageSet's copies (the
    objects' bytes as they are), else pypdf's (single_page)."""
    if not any(new for _, _, new in jobs):
        return []
    try:
        pages = _page_set(jobs, PlainPdf(merged))
        return [pages.start() + pages.rest(index, face.title or face.holder, design.issuer)[0]
                for index, (design, face, new) in enumerate(jobs) if new]
    except (ValueError, KeyError, AttributeError, IndexError):
        reader = PdfReader(io.BytesIO(merged))
        return [single_page(page, face.title or face.holder, design.issuer)
                for (design, face, new), page in zip(jobs, reader.pages) if new]


def _page_set(jobs: list[tuple[Design, Face, bool]], source: PlainPdf) -> PageSet:
    if len(source.pages) != len(jobs):
        raise ValueError("one page per job")
    return PageSet(source, [index for index, (_, _, new) in enumerate(jobs) if new])


class Stored(NamedTuple):
    """A new certificate as it is stored: `data` (its PDF, or with CERTIFICATE_PACKED its pack) and the
    SHA-256 of its PDF (what the row keeps and a download checks)."""

    data: bytes
    sha256: str


def stored_forms(jobs: list[tuple[Design, Face, bool]], own: list[bytes], packed: bool,
                 shared: dict[str, bytes] | None = None) -> list[Stored]:
    """The new certificates' PDFs (`own`, from a render_chunk) as they are stored: hashed, and packed when
    `packed` (the streams `shared` names cut out, by default the artwork: `pack_known`)."""
    if not packed:
        return [Stored(bytes(data), hashlib.sha256(data).hexdigest()) for data in own]
    shared = shared_streams(jobs) if shared is None else shared
    streams, digests = list(shared.values()), frozenset(shared)
    return [Stored(pack_known(data, digests, streams), hashlib.sha256(data).hexdigest()) for data in own]


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


def _stored_pages(jobs: list[tuple[Design, Face, bool]], merged: bytes, packed: bool
                  ) -> tuple[list[Stored], dict[str, bytes] | None]:
    """stored_forms of the chunk's own PDFs, and with `packed` what their packs leave out (resource_streams),
    without writing the PDFs out one by one: each is the PageSet's shared start (hashed once, its streams
    cut once) and the page's own rest, so a page costs its few kilobytes, not the 300 KB of artwork and
    fonts it carries. The same bytes, hashes and packs as stored_forms(own_pages(...))."""
    source = PlainPdf(merged)
    pages = _page_set(jobs, source)
    if not pages.objects:
        return [], None
    shared = resource_streams(source) if packed else None
    if shared is not None and not shared:
        raise ValueError("no streams to leave out")  # the artwork then, found by searching
    head_cuts = [cut for cut in pages.streams(pages.offsets) if cut[2] in shared] if packed else []
    head_body = _without(pages.start(), head_cuts, 0)
    stored = []
    for index, (design, face, new) in enumerate(jobs):
        if not new:
            continue
        rest, own = pages.rest(index, face.title or face.holder, design.issuer)
        digest = pages.sha256(rest)
        if not packed:
            stored.append(Stored(pages.start() + rest, digest))
            continue
        cuts = [cut for cut in pages.streams(own) if cut[2] in shared]
        stored.append(Stored(_pack_of(head_cuts + cuts, head_body + _without(rest, cuts, pages.start_size)), digest))
    return stored, shared


def _without(data: bytes, cuts: list, at: int) -> bytes:
    """`data` (which starts at `at` of its PDF) without the cuts' bytes (cuts: where in the PDF, length)."""
    body, last = [], 0
    for where, length, _ in sorted(cuts):
        body.append(data[last:where - at])
        last = where - at + length
    body.append(data[last:])
    return b"".join(body)


def render_for_store(jobs: list[tuple[Design, Face, bool]], packed: bool, render=None
                     ) -> tuple[list[Stored], bytes | None, dict[str, bytes] | None]:
    """The chunk's PDF, its new certificates in their stored form (stored_forms) and, with `packed`, what
    their packs leave out (left_out, for save_packed): what a render process gives back for a chunk, so the
    process that stores it only writes. `render`: another render_chunk (a test's)."""
    if render in (None, render_chunk) and jobs:
        merged = render_pages([(design, face) for design, face, _ in jobs])
        try:
            stored, shared = _stored_pages(jobs, merged, packed)
            return stored, merged, shared
        except (ValueError, KeyError, AttributeError, IndexError):
            own = own_pages(jobs, merged)  # a file PlainPdf cannot read: pypdf's copies
    else:
        own, merged = (render or render_chunk)(jobs)
    shared = left_out(jobs, merged) if packed and own else None
    return stored_forms(jobs, own, packed, shared), merged, shared


def left_out(jobs: list[tuple[Design, Face, bool]], merged: bytes) -> dict[str, bytes]:
    """What the packs of a chunk's new certificates leave out, by SHA-256: every stream of the chunk's PDF
    but the pages' own (resource_streams), else the artwork (shared_streams)."""
    try:
        return resource_streams(PlainPdf(merged)) or shared_streams(jobs)
    except (ValueError, KeyError, AttributeError, IndexError):
        return shared_streams(jobs)


def resource_streams(source: PlainPdf) -> dict[str, bytes]:
    """The streams of a chunk's PDF that are not a page's own contents, by SHA-256: the artwork, the fonts
    and each design's fixed part, the same bytes in every chunk (core.pdf.prime makes the fonts so), which
    the new certificates' packs leave out and the store keeps once. Raises ValueError for a page without
    contents."""
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
            streams[stream[2]] = source.data[start + stream[0]:start + stream[0] + stream[1]]
    return streams


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


def prefetched(reads: list[Callable[[], bytes]], ahead: int = 2) -> Iterator[Callable[[], bytes]]:
    """The reads, in order, each started `ahead` turns early on a thread of its own: while the merge copies
    one chunk, the next ones come from the store (an S3 GET waits on the network and on the store's CPU, at
    a batch's end where the other worker's core is idle). At most ahead + 1 chunks in memory; what is
    still running is cancelled when the merge stops early."""
    with ThreadPoolExecutor(ahead, thread_name_prefix="merge-read") as threads:
        waiting: deque = deque()
        try:
            for read in reads:
                waiting.append(threads.submit(read))
                if len(waiting) > ahead:
                    yield waiting.popleft().result
            while waiting:
                yield waiting.popleft().result
        finally:
            for future in waiting:
                future.cancel()


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
    return _pack_of(cuts, _without(data, cuts, 0)) if cuts else data


def _pack_of(cuts: list, body: bytes) -> bytes:
    """A pack: its cuts ([where in the PDF, length, SHA-256], in order) and the PDF's bytes without them."""
    if not cuts:
        return body
    header = json.dumps([[at, length, digest] for at, length, digest in sorted(cuts)], separators=(",", ":"))
    return PACK_MAGIC + header.encode() + b"\n" + body


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
