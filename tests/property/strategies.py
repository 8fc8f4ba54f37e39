"""What a hostile or confused caller, handset or aggregator may send, as hypothesis strategies."""

from __future__ import annotations

import itertools
from typing import Any

from hypothesis import strategies as st

# Characters that break naive code: controls, separators, invisible marks, emoji (with
# skin tone and flags), Ghanaian letters, the cedi sign, GSM-7's escaped characters.
ODD = (
    "\x00\x01\x07\x08\t\n\x0b\x0c\r\x1b\x1f\x7f\x85\xa0\u200b\u200d\u2028\u2029\ufeff"
    "😀🔥👍🏽🇬🇭₵ƐɛƆɔŊŋ€£¥éñ中文ا{}[]\\^~|"
)
KEYPAD = "0123456789*#"

odd_text = st.text(alphabet=st.sampled_from(ODD) | st.sampled_from(KEYPAD), max_size=30)
any_text = st.text(max_size=40)  # any code point hypothesis likes (no lone surrogates)


def repeated(chunks: str | list[str], low: int, high: int) -> st.SearchStrategy[str]:
    """One chunk repeated `low` to `high` times: long input without generating it slowly."""
    return st.builds(lambda c, n: c * n, st.sampled_from(list(chunks)), st.integers(low, high))


# Longer than a screen; a handset sends at most 182 characters an answer (but see huge_text).
long_text = repeated(["9", "a", "*", "0*", "😀", "\x00", " ", "Ama ", "₵"], 161, 182)
# Longer than any handset sends, still within the app's body limit.
big_text = repeated(["9", "a", "😀", "*", "\x00"], 183, 8_000)
# Over the app's body limit (64 KiB): answered 413, still never a 500.
huge_text = repeated(["9", "a", "😀"], 20_000, 70_000)

hostile_text = st.one_of(any_text, odd_text, long_text, st.just(""))

# What a customer may type on a screen: the engine's keys, menu numbers, plausible answers
# of each journey (names, towns, GPS addresses, PINs, amounts), and anything else.
MEANINGFUL = [
    "1", "2", "3", "4", "5", "6", "7", "8", "9", "0", "00", "98", "99", "000", "*", "#",
    "**", "*#", "1*2", "10", "11", "12", " 1 ", "01",
    "Ama", "Mensah", "Kwame", "Accra", "Kumasi", "Tema", "A", "X Æ A-12",
    "GA-183-8164", "AK-039-5028", "ga1838164", "GA-183-81644",
    "4826", "4827", "1234", "0000", "1111", "9999", "482", "48266",
    "50", "1", "5000", "5001", "0.5", "-5", "1e3", "50.00", "GHS 50",
    "0244000001", "+233244000001",
]  # fmt: skip
menu_key = st.sampled_from(["1", "1", "2", "2", "3", "4", "5", "6", "7", "0", "00", "98"])
# Weighted towards menu keys, so that examples reach deep screens, not only the first ones.
answer = st.one_of(
    *[menu_key] * 4,
    *[st.sampled_from(MEANINGFUL)] * 3,
    st.text(alphabet=KEYPAD, min_size=1, max_size=12),
    hostile_text,
    hostile_text,
)

# JSON values of every shape, where an aggregator's field should hold one string or number.
json_scalar = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=2**63 - 2, max_value=2**80),
    st.integers(min_value=-(2**80), max_value=-1),
    st.floats(allow_nan=False, allow_infinity=False),
    hostile_text,
    big_text,
    st.text(alphabet="0123456789", min_size=1, max_size=30),
)
json_value = st.recursive(
    json_scalar,
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=6,
)

# How a test changes one field of a well-formed request.
KEEP, DROP = "keep", "drop"
Edit = tuple[str, Any]
edit = st.one_of(
    st.just((KEEP, None)),
    st.just((KEEP, None)),
    st.just((DROP, None)),
    st.tuples(st.just("set"), json_value),
)


class Numbers:
    """Distinct valid Ghana numbers (`+233<prefix>` and 7 digits), one per example, so that
    examples never share a session or a customer, whatever hypothesis replays."""

    def __init__(self, prefix: str = "24") -> None:
        self.prefix = prefix
        self._count = itertools.count(1)

    def next(self) -> str:
        return f"+233{self.prefix}{next(self._count):07d}"
