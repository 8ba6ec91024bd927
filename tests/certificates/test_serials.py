"""Serials: readable (no look-alikes, grouped), a check character that catches every single typo and
every swap of neighbours, enough randomness, forgiving of case, spaces and dashes."""
import itertools

import pytest

from fairapp.certificates import serials


def test_shape_and_alphabet():
    serial = serials.new_serial("MC68")
    assert len(serial) == 16 and serial.startswith("MC68")
    assert not set(serial) & set("01OIL")
    assert serials.grouped(serial).count("-") == 3
    assert all(len(group) == 4 for group in serials.grouped(serial).split("-"))
    assert serials.is_valid(serial)


def test_prefix_follows_the_buddhist_year_and_avoids_zero_and_one():
    assert serials.prefix_for(2568) == "MC68"
    for year in range(2560, 2600):
        prefix = serials.prefix_for(year)
        assert len(prefix) == 4 and all(c in serials.VALUE for c in prefix), (year, prefix)


def test_every_single_substitution_and_neighbour_swap_is_caught():
    checked = set()
    for _ in range(200):
        serial = serials.new_serial("MC68")
        checked.add(serial)
        for position, wrong in itertools.product(range(len(serial)), serials.ALPHABET):
            if wrong != serial[position]:
                typo = serial[:position] + wrong + serial[position + 1:]
                assert not serials.is_valid(typo), (serial, typo)
        for position in range(len(serial) - 1):
            a, b = serial[position], serial[position + 1]
            if a != b:
                swapped = serial[:position] + b + a + serial[position + 2:]
                assert not serials.is_valid(swapped), (serial, swapped)
    assert len(checked) == 200  # the loop ran on 200 different fresh serials


def test_serials_are_not_guessable():
    seen = {serials.new_serial("MC68") for _ in range(20_000)}
    assert len(seen) == 20_000
    assert len(serials.ALPHABET) ** serials.RANDOM_LEN > 2 ** 54
    # Each random position uses the whole alphabet.
    column = {s[6] for s in seen}
    assert column == set(serials.ALPHABET)


@pytest.mark.parametrize("variant", [str.lower, lambda g: g.replace("-", " "), lambda g: " " + g.replace("-", "").lower() + " ",
                                     lambda g: g.replace("-", "–"), lambda g: g.replace("-", "").upper()])
def test_typing_is_forgiven_case_spaces_and_dashes(variant):
    good = serials.new_serial("MC68")
    assert serials.normalize(variant(serials.grouped(good))) == good


@pytest.mark.parametrize("typed, reason", [("", "empty"), ("MC68-0K2M-QX9D-R4T8", "alphabet"),
                                           ("MC68-7K2M", "length"), ("MC68-7K2M-QX9D-R4T9", "check")])
def test_what_is_wrong_with_a_typed_serial(typed, reason):
    body = "MC687K2MQX9DR4T"
    good = serials.grouped(body + serials.check_char(body))
    if reason == "check":
        last = good[-1]
        typed = good[:-1] + ("2" if last != "2" else "3")
    with pytest.raises(serials.SerialError) as error:
        serials.normalize(typed)
    assert error.value.reason == reason
    if reason == "alphabet":
        assert error.value.bad == "0"


def test_the_example_people_are_shown_is_a_real_serial():
    assert serials.is_valid("MC687K2MQX9DR4TJ")  # the hint under the serial field and the length message
