"""Storage.save_file (a file's content streamed to the store, never whole in memory) and Storage.put_shared
(bytes under a content-addressed key no rollback deletes), on the local folder (S3: test_storage_s3)."""
import hashlib
import io

import pytest

from fairapp.core import storage as storage_module
from fairapp.core.storage import local_storage, storage
from fairapp.core.transaction import unit_of_work


class Pieces(io.BytesIO):
    """A file that counts how much any one read asked for."""

    def __init__(self, data: bytes):
        super().__init__(data)
        self.biggest = 0

    def read(self, n=-1):
        self.biggest = max(self.biggest, len(self.getvalue()) if n is None or n < 0 else n)
        return super().read(n)


def test_save_file_copies_a_piece_at_a_time_and_leaves_no_part_file(app, db):
    data = bytes(range(256)) * 8192  # 2 MiB
    source = Pieces(b"header" + data)
    source.seek(6)  # from the current position
    with app.test_request_context():
        with unit_of_work():
            key = storage().save_file(source, "pdf")
        assert storage().read(key) == data and key.endswith(".pdf")
        assert source.biggest <= storage_module.CHUNK  # never the whole file at once
        path = local_storage().local_path(key)
        assert not list(path.parent.glob("*.part"))


def test_save_file_is_undone_with_its_unit_of_work(app, db):
    with app.test_request_context():
        with pytest.raises(RuntimeError):
            with unit_of_work():
                key = storage().save_file(io.BytesIO(b"%PDF-1.4 merged"), "pdf")
                assert storage().exists(key)
                raise RuntimeError("the batch row could not be written")
        assert not storage().exists(key)


def test_put_shared_keeps_its_file_when_the_unit_of_work_rolls_back(app, db):
    data = b"artwork stream " * 100
    key = f"{hashlib.sha256(data).hexdigest()[:32]}.pdf"
    with app.test_request_context():
        with pytest.raises(RuntimeError):
            with unit_of_work():
                storage().put_shared(key, data)
                raise RuntimeError("rolled back")
        assert storage().read(key) == data  # other rows may name it: never deleted by a rollback
        with pytest.raises(ValueError):
            storage().put_shared("../../etc/passwd", data)


def test_a_part_of_a_local_file(app, db):
    data = bytes(range(256)) * 10
    with unit_of_work():
        key = storage().save(data, "pdf")
    assert storage().read_range(key, 300, 700) == data[300:1000]
    for start, length in ((len(data) - 1, 2), (len(data) + 5, 1)):
        with pytest.raises(FileNotFoundError):
            storage().read_range(key, start, length)
    with pytest.raises(FileNotFoundError):
        storage().read_range("0" * 32 + ".pdf", 0, 1)
