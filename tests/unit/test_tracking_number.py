"""Tracking numbers: eight letters of the 32-letter alphabet, evenly drawn."""

from collections import Counter

from lapor_bridge.services.intake.submit import TRACKING_ALPHABET, new_tracking_number


def test_tracking_numbers_use_every_letter_of_the_alphabet_and_nothing_else():
    assert len(TRACKING_ALPHABET) == len(set(TRACKING_ALPHABET)) == 32
    numbers = [new_tracking_number() for _ in range(4000)]
    assert {len(number) for number in numbers} == {8}
    letters = Counter("".join(numbers))
    assert set(letters) == set(TRACKING_ALPHABET)
    assert max(letters.values()) < 2 * min(letters.values())  # 1,000 expected each
    assert len(set(numbers)) == len(numbers)
