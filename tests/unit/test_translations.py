"""The French and Russian catalogues are complete: every string of the templates and code
is there, translated (every plural form), not fuzzy, with the same placeholders.

The strings are extracted here from the source with Babel's own extractor and the
project's babel.cfg, so a string added without a translation fails the suite (run
`make messages`, then translate what it adds)."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None, "N_": None, "lazy_ngettext": (1, 2)}
PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sd]|\{[a-z_]+\}")
LANGUAGES = ("fr", "ru")


def _method_map() -> list[tuple[str, str]]:
    """The [method: pattern] sections of babel.cfg."""
    text = (ROOT / "babel.cfg").read_text()
    return [
        (pattern.strip(), method.strip())
        for method, pattern in re.findall(r"^\[(\w+):\s*([^\]]+)\]", text, re.MULTILINE)
    ]


@lru_cache(maxsize=1)
def source_messages() -> dict[tuple[str | None, str], tuple[str, ...]]:
    """(context, msgid) -> (singular, plural...) of every translatable string in the source
    (the context is pgettext's, None for most)."""
    found: dict[tuple[str | None, str], tuple[str, ...]] = {}
    for _file, _line, message, _comments, context in extract_from_dir(
        str(ROOT), _method_map(), keywords=KEYWORDS, strip_comment_tags=True
    ):
        parts = (message,) if isinstance(message, str) else tuple(m for m in message if m)
        found[context, parts[0]] = parts
    return found


def catalogue(code: str):  # type: ignore[no-untyped-def]
    path = ROOT / "gallery" / "translations" / code / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as fh:
        return read_po(fh, locale=code)


def test_the_extractor_sees_the_strings():
    messages = source_messages()
    assert len(messages) > 400
    assert (None, "Send a work") in messages  # a template string
    assert messages[None, "%(num)s day"] == ("%(num)s day", "%(num)s days")  # a plural
    assert (
        None,
        "Please write this in the language chosen as the original.",
    ) in messages  # code, _l
    assert ("prisoner form", "Who") in messages and (None, "Who") in messages  # pgettext


@pytest.mark.parametrize("code", LANGUAGES)
def test_every_string_is_translated(code):
    cat = catalogue(code)
    problems = []
    for (context, msgid), parts in source_messages().items():
        entry = cat.get(msgid, context=context)
        if entry is None:
            problems.append(f"missing: {msgid!r}" + (f" (context {context!r})" if context else ""))
            continue
        strings = entry.string if isinstance(entry.string, tuple) else (entry.string,)
        if entry.fuzzy:
            problems.append(f"fuzzy: {msgid!r}")
        if len(parts) > 1 and len(strings) != cat.num_plurals:
            problems.append(f"needs {cat.num_plurals} plural forms: {msgid!r}")
        if not all(s and s.strip() for s in strings):
            problems.append(f"untranslated: {msgid!r}")
    assert problems == [], f"{len(problems)} problems in {code}:\n" + "\n".join(problems[:40])


@pytest.mark.parametrize("code", LANGUAGES)
def test_placeholders_are_the_sources(code):
    cat = catalogue(code)
    problems = []
    for (context, msgid), parts in source_messages().items():
        entry = cat.get(msgid, context=context)
        if entry is None:
            continue
        wanted = set(PLACEHOLDER.findall(" ".join(parts)))
        strings = entry.string if isinstance(entry.string, tuple) else (entry.string,)
        for form in strings:
            got = set(PLACEHOLDER.findall(form or ""))
            # A singular form may say "one" instead of the number: only %(num)s may go.
            if got != wanted and not (
                len(parts) > 1 and wanted - got <= {"%(num)s"} and got <= wanted
            ):
                problems.append(f"{msgid!r}: {sorted(got)} instead of {sorted(wanted)}")
    assert problems == [], "\n".join(problems[:40])


@pytest.mark.parametrize("code", LANGUAGES)
def test_the_catalogue_has_no_stale_fuzzy_header(code):
    cat = catalogue(code)
    assert not cat.fuzzy
    assert cat.locale_identifier == code


def test_french_typography():
    """Narrow no-break space before ; ! ? and inside « », no straight apostrophes."""
    problems = []
    for entry in catalogue("fr"):
        for form in entry.string if isinstance(entry.string, tuple) else (entry.string,):
            if not entry.id or not form:
                continue
            if re.search(r"[^\u202f\u00a0][;!?](\s|$)", form) or re.search(r" [;:!?]", form):
                problems.append(f"space before ;:!? in {form!r}")
            if "«" in form and not re.search("«[\u202f\u00a0]", form):
                problems.append(f"no no-break space inside « » in {form!r}")
            if "'" in form:
                problems.append(f"straight apostrophe in {form!r}")
    assert problems == [], "\n".join(problems[:40])


def test_french_many_form_is_the_plural_written_with_figures():
    """French's CLDR "many" form (msgstr[1]: 1 000 000, 2 000 000...) takes « de » only
    after the word million (« 2 millions de jours »); with figures it is the ordinary
    plural (« 2 000 000 jours »), so both forms read the same."""
    cat = catalogue("fr")
    assert cat.num_plurals == 3
    with_forms = [e for e in cat if e.id and isinstance(e.string, tuple)]
    assert len(with_forms) > 15
    problems = [e.string[1] for e in with_forms if e.string[1] != e.string[2]]
    assert problems == []


def test_russian_quotes_and_yo():
    problems = []
    for entry in catalogue("ru"):
        for form in entry.string if isinstance(entry.string, tuple) else (entry.string,):
            if entry.id and form and ("“" in form or '"' in form):
                problems.append(f"English quotes in {form!r}")
            if form and re.search(r"\b(еще|ее|ёе)\b", form):
                problems.append(f"е for ё in {form!r}")
    assert problems == [], "\n".join(problems[:40])
