"""core.qr: the version is counted, not searched for, and the code is the one qrcode's own fit makes."""
import random
import string

import pytest
import qrcode
from qrcode.exceptions import DataOverflowError

from fairapp.core import qr

# digits, capitals and bytes (Thai among them), so qrcode cuts payloads into segments of every mode
ALPHABET = string.ascii_letters + "-_.~:/?=&ก่ำ " + string.digits * 6 + "ABCDEFGHIJKLMNOP" * 3


def _fitted(data: str) -> qrcode.QRCode:
    ref = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=0, mask_pattern=2)
    ref.add_data(data)
    ref.make(fit=True)
    return ref


@pytest.mark.parametrize("seed", range(4))
def test_the_counted_version_is_the_one_qrcode_fits(seed):
    rng = random.Random(seed)
    lengths = [1, 2, 3, 9, 40, 150, 300, 453, 700, 1100, 1600, 2200]
    for _ in range(150):
        data = "".join(rng.choice(ALPHABET) for _ in range(rng.randint(1, rng.choice(lengths))))
        ref, mine = _fitted(data), qr.code(data, border=0, mask=2)
        assert (mine.version, mine.get_matrix()) == (ref.version, ref.get_matrix()), data


def test_the_version_boundaries_where_length_fields_widen():
    """The width of a segment's length grows at versions 10 and 27; payloads that just fit or just miss
    each side of them are counted as qrcode fits them."""
    for size in range(180, 240):
        assert qr.code("ก" * (size // 3) + "x" * (size % 3), border=0, mask=2).version == \
            _fitted("ก" * (size // 3) + "x" * (size % 3)).version
    for digits in range(1000, 1500, 7):
        assert qr.code("1" * digits, border=0, mask=2).version == _fitted("1" * digits).version


def test_too_much_for_any_version():
    with pytest.raises(DataOverflowError):
        qr.code("x" * 2400)


def test_a_signed_certificate_url():
    url = "https://fair.example.org/verify/MC68-000123?q=" + "a" * 407  # 453 characters, as the benchmark's
    assert qr.code(url, border=0, mask=2).version == _fitted(url).version == 17
