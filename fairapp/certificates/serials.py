"""Certificate serials a person can read aloud and type: `MC68-7K2M-QX9D-R4TJ`.

- The alphabet has no look-alikes: no 0/O, no 1/I/L (31 symbols: 2-9 and 23 letters).
- Four characters of prefix ("MC" and the fair's B.E. year, see `prefix_for`), then 11 random characters
  from `secrets` (31**11, about 2**54 possibilities: guessing one of a fair's thousand serials takes some
  eighteen million million tries, while /verify allows a few a minute), then a check character.
- The check character makes the weighted sum of all fifteen characters, weights 1..15, a multiple of 31.
  31 is prime and the weights differ by one, so any single wrong character and any swap of two
  neighbouring characters changes the sum: every such typo is caught without asking the database.
- Typed serials are forgiven their case, spaces and dashes (`normalize`).
"""
from __future__ import annotations

import re
import secrets

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
VALUE = {c: i for i, c in enumerate(ALPHABET)}
PREFIX_LEN = 4
RANDOM_LEN = 11
LENGTH = PREFIX_LEN + RANDOM_LEN + 1  # 16 characters, shown as four groups of four
_SEPARATORS = re.compile(r"[\s\-‐‑‒–—_.]+")


def prefix_for(be_year: int) -> str:
    """"MC" and the last two digits of the B.E. year: MC68 for 2568. The digits 0 and 1 are not in the
    alphabet, so a year with them (2570, 2581) takes two alphabet symbols computed from the year instead."""
    digits = f"{be_year % 100:02d}"
    if all(d in VALUE for d in digits):
        return "MC" + digits
    return "MC" + ALPHABET[be_year % len(ALPHABET)] + ALPHABET[(be_year // len(ALPHABET)) % len(ALPHABET)]


def check_char(body: str) -> str:
    """The character that makes sum(weight * value) over body + it a multiple of 31 (weights 1..n)."""
    total = sum((i + 1) * VALUE[c] for i, c in enumerate(body))
    weight = len(body) + 1
    # weight * x == -total (mod 31); weight is 1..30 and 31 is prime, so x exists and is unique.
    return ALPHABET[(-total * pow(weight, -1, len(ALPHABET))) % len(ALPHABET)]


def is_valid(compact: str) -> bool:
    """True when a compact (no dashes, upper-case) serial has the right length, alphabet and check."""
    if len(compact) != LENGTH or any(c not in VALUE for c in compact):
        return False
    return sum((i + 1) * VALUE[c] for i, c in enumerate(compact)) % len(ALPHABET) == 0


def new_serial(prefix: str) -> str:
    """A fresh random serial with its check character, compact (no dashes)."""
    if len(prefix) != PREFIX_LEN or any(c not in VALUE for c in prefix):
        raise ValueError(f"prefix must be {PREFIX_LEN} characters of the alphabet, not {prefix!r}")
    body = prefix + "".join(secrets.choice(ALPHABET) for _ in range(RANDOM_LEN))
    return body + check_char(body)


def grouped(compact: str) -> str:
    """MC687K2MQX9DR4TJ -> MC68-7K2M-QX9D-R4TJ."""
    return "-".join(compact[i:i + 4] for i in range(0, len(compact), 4))


class SerialError(ValueError):
    """A typed serial that cannot be one: `reason` is "empty", "length", "alphabet" or "check"."""

    def __init__(self, reason: str, bad: str = ""):
        super().__init__(reason)
        self.reason = reason
        self.bad = bad  # the characters that are not in the alphabet, for "alphabet"


def normalize(typed: str) -> str:
    """The compact serial for what a person typed, or SerialError saying what is wrong with it.

    Case, spaces and dashes are forgiven. Look-alikes are not guessed: a 0, O, 1, I or L is reported, so
    the person looks at the paper again rather than landing on someone else's certificate.
    """
    compact = _SEPARATORS.sub("", typed or "").upper()
    if not compact:
        raise SerialError("empty")
    bad = "".join(sorted({c for c in compact if c not in VALUE}))
    if bad:
        raise SerialError("alphabet", bad)
    if len(compact) != LENGTH:
        raise SerialError("length")
    if not is_valid(compact):
        raise SerialError("check")
    return compact
