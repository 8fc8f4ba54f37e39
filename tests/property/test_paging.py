"""Paging fits any screen into any limit without losing, adding or reordering a word."""

from __future__ import annotations

from hypothesis import assume, given
from hypothesis import strategies as st

from lpg_ussd.application.ussd.paging import paginate
from lpg_ussd.application.ussd.texts import load_texts

TEXTS = load_texts("en")
MORE, BACK = TEXTS("common.more"), TEXTS("common.back")

# Words as screens hold them: short ones mostly, now and then one longer than a page.
word = st.one_of(
    st.text(alphabet="abcXYZ0123456789.,:-()₵😀", min_size=1, max_size=12),
    st.text(alphabet="abcdefghij", min_size=20, max_size=300),
)
line = st.lists(word, max_size=25).map(" ".join) | st.sampled_from(["", " ", "  a  b "])
lines = st.lists(line, max_size=15)
footer = st.text(alphabet="0123456789. MoreBack", max_size=12)


def bodies(pages: list[str], more: str, back: str) -> list[str]:
    """Each page without the footer paging adds (`more` on all but the last, `back` after the
    first), asserting that the footer is there."""
    found = []
    for index, page in enumerate(pages):
        tail = []
        if index < len(pages) - 1:
            tail.append(more)
        if index > 0 and back:
            tail.append(back)
        suffix = "\n".join(tail)
        if suffix:
            assert page.endswith("\n" + suffix), (index, page)
            page = page[: -len(suffix) - 1]
        found.append(page)
    return found


def words_of(texts: list[str]) -> list[str]:
    return [w for text in texts for w in text.replace("\n", " ").split(" ") if w]


def check(source: list[str], limit: int, more: str, back: str) -> None:
    pages = paginate(source, limit, more, back)
    assert pages, "no page at all"
    for page in pages:
        assert len(page) <= limit, f"{len(page)} > {limit}: {page!r}"
    if len(pages) == 1:
        assert pages[0] == "\n".join(source)
        return
    kept = bodies(pages, more, back)
    room = limit - len(more) - len(back) - 3
    expected, got = words_of(source), words_of(kept)
    # In order, nothing lost or added; a word is cut only when it alone is longer than a page.
    assert "".join(got) == "".join(expected)
    position = 0
    for w in expected:
        if len(w) <= room:
            assert got[position] == w, f"{w!r} cut or moved: {got[position : position + 3]!r}"
            position += 1
        else:
            taken = ""
            while taken != w:
                taken += got[position]
                position += 1
    assert position == len(got)


@given(lines, st.integers(60, 182))
def test_every_page_fits_and_every_word_survives_in_order(source: list[str], limit: int) -> None:
    check(source, limit, MORE, BACK)


@given(lines, st.integers(20, 200), footer, footer)
def test_any_footer_and_limit_with_room_left(
    source: list[str], limit: int, more: str, back: str
) -> None:
    assume(limit - len(more) - len(back) - 3 >= 1)
    assume(more.strip())
    check(source, limit, more, back)


@given(lines, st.integers(60, 182))
def test_a_closing_text_pages_without_back(source: list[str], limit: int) -> None:
    check(source, limit, MORE, "")
