"""PDF files copied by their bytes: a certificate's own PDF out of its chunk's PDF (`PlainPdf.page_pdf`) and
the chunks joined into a batch's file (`merge_pdfs`), for PDFs as ReportLab writes them (objects one after
another, a plain xref table), without parsing the objects; pypdf for anything else (`single_page`,
`_Merger.add_page`). Used by batch_render."""
from __future__ import annotations

import hashlib
import io
import re
from collections.abc import Callable, Iterable
from typing import BinaryIO

from pypdf import PdfReader
from pypdf.generic import (ArrayObject, DictionaryObject, IndirectObject, NameObject, NumberObject, StreamObject,
                           TextStringObject)

_INHERITED = ("/Resources", "/MediaBox", "/CropBox", "/Rotate")
SHARE_MIN = 1024  # streams at least this long are written once per merged file (artwork, fonts that repeat)
_REF = re.compile(rb"(\d+) 0 R\b")
_PARENT = re.compile(rb"/Parent (\d+) 0 R\b")
_LENGTH = re.compile(rb"/Length (\d+)\b")
_STREAM = re.compile(rb">>\s*stream\r?\n")
_UNSHARED = re.compile(rb"/Type\s*/(Page|Annot)\b")  # objects that belong to one place in a file


class PlainPdf:
    """A PDF as ReportLab (or page_pdf) writes it: its objects one after another, one plain xref table, a
    flat page tree. Read without parsing its objects: each object's bytes by number, the objects each
    refers to (scanned once), each stream's SHA-256 (once). `page_pdf` writes one page's own PDF by copying
    the bytes of the objects that page uses, under their own numbers (no renumbering, no re-serializing):
    well under a millisecond a page, where copying with pypdf took milliseconds. Raises ValueError for a
    file it does not know how to read (the callers then use pypdf, or search)."""

    def __init__(self, data: bytes):
        self.data = data
        at = data.rindex(b"startxref")
        xref = int(data[at + 9:].split(None, 1)[0])
        end = data.find(b"trailer", xref)
        if not data.startswith(b"xref", xref) or end < 0:
            raise ValueError("not a plain xref table")
        tokens = data[xref + 4:end].split()
        offsets: dict[int, int] = {}
        i = 0
        while i < len(tokens):
            first, count = int(tokens[i]), int(tokens[i + 1])
            for n in range(count):
                offset, _, kind = tokens[i + 2 + 3 * n:i + 5 + 3 * n]
                if kind == b"n":
                    offsets[first + n] = int(offset)
            i += 2 + 3 * count
        trailer = data[end:at]
        self.root = int(re.search(rb"/Root (\d+) 0 R", trailer).group(1))
        info = re.search(rb"/Info (\d+) 0 R", trailer)
        self.info = int(info.group(1)) if info else None
        bounds = sorted(offsets.values()) + [xref]
        following = {start: bounds[k + 1] for k, start in enumerate(bounds[:-1])}
        self.spans = {n: (start, following[start]) for n, start in offsets.items()}
        for n, (start, _) in self.spans.items():
            if not data.startswith(b"%d 0 obj" % n, start):
                raise ValueError(f"object {n} is not where the xref says")
        self._refs: dict[int, tuple[set[int], int | None]] = {}
        self._streams: dict[int, tuple[int, int, str] | None] = {}
        self._pages: list[int] | None = None

    @property
    def pages(self) -> list[int]:
        """The page objects' numbers, in order (a flat page tree)."""
        if self._pages is None:
            tree = re.search(rb"/Pages (\d+) 0 R", self._head(self.root))
            kids = re.search(rb"/Kids \[([^\]]*)\]", self._head(int(tree.group(1))))
            self._pages = [int(n) for n in _REF.findall(kids.group(1))]
            if any(b"/Type /Pages" in self._head(n) for n in self._pages):
                raise ValueError("a nested page tree")
        return self._pages

    def _object(self, n: int) -> bytes:
        start, end = self.spans[n]
        return self.data[start:end]

    def _head(self, n: int) -> bytes:
        """The object's dictionary (a stream's without its data)."""
        obj = self._object(n)
        match = _STREAM.search(obj)
        return obj[:match.start() + 2] if match else obj

    def refs(self, n: int) -> tuple[set[int], int | None]:
        """(the objects n refers to but its /Parent, its /Parent)."""
        if n not in self._refs:
            head = self._head(n)
            parent = _PARENT.search(head)
            if parent is not None:
                head = head[:parent.start()] + head[parent.end():]
            self._refs[n] = ({int(r) for r in _REF.findall(head)}, int(parent.group(1)) if parent else None)
        return self._refs[n]

    def stream(self, n: int) -> tuple[int, int, str] | None:
        """(where the stream's data starts in the object, its length, its SHA-256) for a stream of at least
        SHARE_MIN bytes; else None."""
        if n not in self._streams:
            obj = self._object(n)
            match = _STREAM.search(obj)
            found = None
            if match:
                length = _LENGTH.search(obj[:match.start() + 2])
                if length and int(length.group(1)) >= SHARE_MIN:
                    size = int(length.group(1))
                    found = (match.end(), size, hashlib.sha256(obj[match.end():match.end() + size]).hexdigest())
            self._streams[n] = found
        return self._streams[n]

    def page_objects(self, index: int) -> set[int]:
        """The objects page `index` uses (itself and what it refers to, all the way down; not its tree)."""
        page = self.pages[index]
        todo, seen = [page], {page}
        while todo:
            for ref in self.refs(todo.pop())[0]:
                if ref not in seen and ref in self.spans:
                    seen.add(ref)
                    todo.append(ref)
        parent = self.refs(page)[1]
        if parent is None or {parent, self.root, self.info} & seen:
            raise ValueError("a page that refers to its tree")
        return seen

    def page_pdf(self, index: int, title: str, author: str) -> bytes:
        """Page `index`'s own one-page PDF. Deterministic: the same chunk gives the same bytes."""
        pages = PageSet(self, [index])
        return pages.start() + pages.rest(index, title, author)[0]


HEADER = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"


class PageSet:
    """The own PDFs of some pages of one PlainPdf, written so that each starts with the same bytes: the header
    and the objects all of them use (the artwork, the fonts, the fixed part: nearly all of each file), in
    number order; then the page's own objects (its page and contents), its page tree, catalog and info, the
    xref table. So the shared start is copied, hashed (`sha256`: each PDF's hash goes on from a copy of its
    state) and cut (batch_render's packs) once for all of them, where page by page it was each time."""

    def __init__(self, source: PlainPdf, indexes: Iterable[int]):
        self.source = source
        self.objects = {index: source.page_objects(index) for index in indexes}
        self.common = sorted(set.intersection(*self.objects.values())) if self.objects else []
        self.offsets: dict[int, int] = {}  # where each shared object starts, in every PDF of the set
        size = len(HEADER)
        for n in self.common:
            self.offsets[n] = size
            size += source.spans[n][1] - source.spans[n][0]
        self.start_size = size
        self._start: bytes | None = None
        self._hash = None

    def start(self) -> bytes:
        """The bytes every PDF of the set starts with."""
        if self._start is None:
            self._start = HEADER + b"".join(self.source._object(n) for n in self.common)
        return self._start

    def rest(self, index: int, title: str, author: str) -> tuple[bytes, dict[int, int]]:
        """(page `index`'s PDF after the shared start, where each of its own objects starts in the PDF)."""
        source, out, size = self.source, [], self.start_size
        own: dict[int, int] = {}
        for n in sorted(self.objects[index].difference(self.common)):
            obj = source._object(n)
            own[n] = size
            out.append(obj)
            size += len(obj)
        page = source.pages[index]
        parent = source.refs(page)[1]
        offsets = {**self.offsets, **own}
        info = source.info if source.info is not None else max(source.spans) + 1
        meta = b"/Title " + _text(title) + b" /Creator (fairapp)" + (b" /Author " + _text(author) if author else b"")
        for n, body in ((parent, b"<< /Count 1 /Kids [ %d 0 R ] /Type /Pages >>" % page),
                        (source.root, b"<< /Pages %d 0 R /Type /Catalog >>" % parent),
                        (info, b"<< " + meta + b" >>")):
            piece = b"%d 0 obj\n" % n + body + b"\nendobj\n"
            offsets[n] = size
            out.append(piece)
            size += len(piece)
        numbers = sorted(offsets)
        out.append(b"xref\n0 1\n0000000000 65535 f \n")
        run: list[int] = []
        for n in numbers + [None]:
            if run and (n is None or n != run[-1] + 1):
                out.append(b"%d %d\n" % (run[0], len(run)) + b"".join(b"%010d 00000 n \n" % offsets[m] for m in run))
                run = []
            if n is not None:
                run.append(n)
        out.append(b"trailer\n<< /Size %d /Root %d 0 R /Info %d 0 R >>\nstartxref\n%d\n%%%%EOF\n"
                   % (max(numbers) + 1, source.root, info, size))
        return b"".join(out), own

    def sha256(self, rest: bytes) -> str:
        """The SHA-256 of the PDF that is the shared start and then `rest`."""
        if self._hash is None:
            self._hash = hashlib.sha256(self.start())
        digest = self._hash.copy()
        digest.update(rest)
        return digest.hexdigest()

    def streams(self, objects: dict[int, int]) -> list[tuple[int, int, str]]:
        """(where in the PDF, length, SHA-256) of each big stream (PlainPdf.stream) of these objects, by
        where each object starts in the PDF."""
        found = []
        for n, at in objects.items():
            stream = self.source.stream(n)
            if stream is not None:
                found.append((at + stream[0], stream[1], stream[2]))
        return found


def _text(value: str) -> bytes:
    """A PDF text string: UTF-16BE with its byte order mark, in hex."""
    return b"<FEFF" + value.encode("utf-16-be").hex().upper().encode() + b">"


def single_page(page, title: str, author: str) -> bytes:
    """A one-page PDF of this page of a PDF read with pypdf (its objects copied as they are: deterministic)."""
    out = io.BytesIO()
    writer = _Merger(out, share=False)
    writer.add_page(page, {})
    writer.finish(title, author)
    return out.getvalue()


# ---- joining chunk PDFs, streamed ----



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
        out.write(HEADER)

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
        """Append the source PDF's pages; returns how many. A file PlainPdf reads is copied by its objects'
        bytes (renumbered, each stream's data as it is); any other through pypdf."""
        try:
            source = PlainPdf(data)
            pages = source.pages
            for page in pages:
                head = source._head(page)
                if source.refs(page)[1] is None or not all(k.encode() in head for k in _INHERITED[:2]):
                    raise ValueError("a page that inherits from its tree")
        except (ValueError, KeyError, AttributeError, IndexError):
            source = None
        if source is not None:
            ids: dict[int, int] = {source.refs(page)[1]: self.pages_id for page in pages}
            for page in pages:
                ids[page] = self._new_id()
                self.kids.append(ids[page])
            done: set[int] = set()
            for page in pages:
                self._plain(source, page, ids, done)
            return len(pages)
        reader = PdfReader(io.BytesIO(data))
        ids: dict[int, int] = {}
        for page in reader.pages:
            self.add_page(page, ids)
        return len(reader.pages)

    def _plain(self, source: "PlainPdf", n: int, ids: dict[int, int], done: set[int]) -> int:
        """This file's number for object n of a PlainPdf source, written once (`done`: the source's objects
        taken already; its references first; a shared stream: once in the file)."""
        if n in ids and (n in done or ids[n] == self.pages_id):
            return ids[n]
        if n in done:  # being copied (a cycle): its number now
            if n not in ids:
                ids[n] = self._new_id()
            return ids[n]
        done.add(n)
        refs, _ = source.refs(n)
        for ref in sorted(refs):
            if ref in source.spans:
                self._plain(source, ref, ids, done)
        obj = source._object(n)
        start = len(b"%d 0 obj" % n)
        match = _STREAM.search(obj)
        head, rest = (obj[start:match.start() + 2], obj[match.start() + 2:]) if match else (obj[start:], b"")
        head = _REF.sub(lambda m: b"%d 0 R" % ids.get(int(m.group(1)), 0), head)
        key = None
        if self.share and n not in ids and not _UNSHARED.search(head):
            stream = source.stream(n) if rest else None
            key = hashlib.sha256(head + b"\0" + (stream[2].encode() if stream else rest)).digest()
            if key in self.shared:
                ids[n] = self.shared[key]
                return ids[n]
        number = ids.get(n) or self._new_id()
        ids[n] = number
        if key is not None:
            self.shared[key] = number
        self.offsets[number] = self.out.tell()
        self.out.write(b"%d 0 obj" % number)
        self.out.write(head)
        self.out.write(rest)
        return number

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
