"""Every catalogue has every word, in GSM-7, and every screen of every journey in every
language fits every gateway's limit: on one screen, or paged by the engine, never cut."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from lpg_ussd.application.ussd import texts as texts_module
from lpg_ussd.application.ussd.paging import paginate
from lpg_ussd.application.ussd.screens import End
from lpg_ussd.application.ussd.texts import available_languages, is_gsm7, load_texts
from tests.unit.test_screen_lengths import ALL_CASES, Case, run, show

LANGUAGES = available_languages()
ENGLISH = load_texts("en")
LIMITS = (160, 120)  # every gateway's (Africa's Talking, Hubtel, Arkesel: 160; Nalo: 120)
TEXTS_DIR = Path(texts_module.__file__).parent
ENGLISH_KEYS = ENGLISH.keys()
PLACEHOLDER = re.compile(r"\{(\w+)\}")


def test_the_line_speaks_english_twi_ewe_ga_and_french() -> None:
    assert set(LANGUAGES) >= {"en", "tw", "ee", "gaa", "fr"}


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_catalogue_has_exactly_the_english_keys(language: str) -> None:
    words = load_texts(language)
    assert set(words.keys()) == set(ENGLISH_KEYS)


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_catalogue_keeps_every_placeholder_and_line_break(language: str) -> None:
    words = load_texts(language)
    for key in ENGLISH_KEYS:
        english, translated = raw(ENGLISH.language, key), raw(language, key)
        assert set(PLACEHOLDER.findall(translated)) == set(PLACEHOLDER.findall(english)), key
        assert translated.count("\n") == english.count("\n"), key
    assert words.name and is_gsm7(words.name)


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_catalogue_is_gsm7_and_says_whether_it_was_reviewed(language: str) -> None:
    with (TEXTS_DIR / f"{language}.toml").open("rb") as handle:
        meta = tomllib.load(handle)["meta"]
    assert isinstance(meta["reviewed"], bool)
    bad = [key for key in ENGLISH_KEYS if not is_gsm7(raw(language, key))]
    assert bad == []


def raw(language: str, key: str) -> str:
    section, _, name = key.partition(".")
    with (TEXTS_DIR / f"{language}.toml").open("rb") as handle:
        return str(tomllib.load(handle)[section][name])


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(("screen", "case"), ALL_CASES, ids=[f"{s}-{c.name}" for s, c in ALL_CASES])
def test_every_screen_fits_every_gateway_or_is_paged(
    language: str, screen: str, case: Case
) -> None:
    words = load_texts(language)
    shown = run(show(screen, case, words))
    if isinstance(shown, End):
        lines = shown.text.split("\n")
    else:
        lines = shown.text.split("\n") if shown.text else []
        lines += [words("common.option", key=c.key, label=c.label) for c in shown.choices]
    for limit in LIMITS:
        pages = paginate(lines, limit, words("common.more"), words("common.back"))
        for page in pages:
            assert len(page) <= limit, f"{language} at {limit}:\n{page}"
            assert is_gsm7(page), page
        shown_words = " ".join(pages).split()
        for word in " ".join(lines).split():
            assert word in shown_words, f"{word!r} cut from {screen} in {language} at {limit}"
