"""Typography as a French or Russian reader expects it: no-break spaces where a line must
not break. One filter for the pages (text nodes of the rendered HTML), the e-mails (plain
text) and the print PDFs.

- French: U+00A0 before « : », U+202F before « ; ! ? » and inside « » (the catalogue's
  convention, the Imprimerie nationale's).
- Russian: U+00A0 before a dash between spaces (a line never starts with « — ») and after
  the one-letter words в, к, с, у, о, и, а, я.
- Both: a number kept with the word or unit after it («1 февраля», « 25 Mo », « 45 % »),
  and « № 7 », « n° 7 » kept together.
- English, and any other language: untouched.

The filter only turns existing ordinary spaces into no-break ones (or one no-break space
into the convention's other one); the one thing it adds is the French narrow space inside
« » where it is missing. So it leaves URLs, e-mail addresses and times alone (they hold
no spaces), and it is idempotent: a second pass changes nothing. In HTML it touches text
only: tags, attributes, comments and the contents of script, style, pre, code and
textarea stay as they are (a textarea's text goes back to the server as typed); the one
kind of attribute it sets is `data-msg-*`, the messages a script shows as text.

Each rule is a precompiled regular expression run once over the text: linear time."""

from __future__ import annotations

import re
from collections.abc import Callable

NBSP, NNBSP = "\u00a0", "\u202f"

# What a line may break at, in HTML or a PDF's paragraph (a run of white space folds
# into one) and in plain text (a newline stays a newline: "— item" starting a line of an e-mail).
_HTML_SPACE, _TEXT_SPACE = r"[ \t\r\n]", "[ ]"

Rule = tuple[re.Pattern[str], str]


def _rules(space: str) -> dict[str, list[Rule]]:
    # `space`: one breakable white-space character in this kind of text.
    numbers: list[Rule] = [
        # A number and its word or unit: "1er février", "25 МБ", "2 865 дней", "45 %".
        (re.compile(rf"(\d(?:er|re|e|ème)?){space}+(?=[%‰]|[^\W\d_])"), rf"\1{NBSP}"),
        # "№ 7", "n° 7", "§ 2".
        (re.compile(rf"(№|[nN]°|§){space}+(?=\d)"), rf"\1{NBSP}"),
    ]
    french: list[Rule] = [
        (re.compile(rf"(?<=«)(?:{space}|[{NBSP}{NNBSP}])+"), NNBSP),
        (re.compile(rf"(?:{space}|[{NBSP}{NNBSP}])+(?=»)"), NNBSP),
        (re.compile(rf"«(?=[^\s{NBSP}{NNBSP}])"), f"«{NNBSP}"),
        (re.compile(rf"(?<=[^\s{NBSP}{NNBSP}])»"), f"{NNBSP}»"),
        (re.compile(rf"(?:{space}|{NNBSP})+(?=:)"), NBSP),
        (re.compile(rf"(?:{space}|{NBSP})+(?=[;!?])"), NNBSP),
    ]
    russian: list[Rule] = [
        # A dash between spaces (em or en dash, or a hyphen standing in for one).
        (re.compile(rf"{space}+(?=[—–-](?:\s|$))"), NBSP),
        # One-letter words: a preposition, a conjunction, «я».
        (re.compile(rf"(?<![\w\-])([ВКСУОИАЯвксуоиая]){space}+"), rf"\1{NBSP}"),
    ]
    return {"fr": french + numbers, "ru": russian + numbers}


_HTML_RULES, _TEXT_RULES = _rules(_HTML_SPACE), _rules(_TEXT_SPACE)

# A tag (its attribute values quoted or not), a comment, or an element whose text is
# code or typed by someone (kept whole, with its contents).
_MARKUP = re.compile(
    r"<!--.*?-->"
    r"|<(script|style|pre|code|textarea)\b(?:[^>\"']|\"[^\"]*\"|'[^']*')*>.*?</\1\s*>"
    r"|<(?:[^>\"']|\"[^\"]*\"|'[^']*')*>",
    re.S | re.I,
)


# An attribute whose value a script shows as text (templates write them in double quotes).
_MESSAGE = re.compile(r'(\sdata-msg-[\w-]+=")([^"]*)(")')


def language(locale: object) -> str:
    """The language of a locale ("fr" for fr_FR, "ru" for ru-RU); "" for none."""
    return str(locale or "").replace("-", "_").split("_")[0].lower()


def _apply(text: str, rules: list[Rule]) -> str:
    for pattern, replacement in rules:
        text = pattern.sub(replacement, text)
    return text


def typeset(text: str, locale: object, *, folded: bool = False) -> str:
    """A plain text (an e-mail, a line of a PDF) with the no-break spaces of its language.
    `folded`: its newlines are white space like any other, as in a paragraph of HTML or of
    a PDF (else a newline stays where it is: an e-mail's, an address's lines)."""
    rules = (_HTML_RULES if folded else _TEXT_RULES).get(language(locale))
    if not rules or not text:
        return text
    return _apply(text, rules)


def typeset_html(html: str, locale: object) -> str:
    """An HTML document or fragment with the no-break spaces of its language in its text,
    and nothing else changed."""
    rules = _HTML_RULES.get(language(locale))
    if not rules or not html:
        return html
    out: list[str] = []
    end = 0
    for markup in _MARKUP.finditer(html):
        out.append(_text(html[end : markup.start()], rules))
        tag = markup.group()
        if "data-msg-" in tag and tag[1:2].isalpha():
            # What a script will show as text (the submit form's messages): text too.
            tag = _MESSAGE.sub(lambda m: m.group(1) + _apply(m.group(2), rules) + m.group(3), tag)
        out.append(tag)
        end = markup.end()
    out.append(_text(html[end:], rules))
    return "".join(out)


def _text(text: str, rules: list[Rule]) -> str:
    # Most text between tags is a template's indentation: nothing to do there.
    return _apply(text, rules) if text and not text.isspace() else text


# The quotation marks inside «…», by language: Russian nests „лапки“, French “…”.
_INNER = {"ru": ("„", "“"), "fr": ("“", "”")}
_GUILLEMET = re.compile(rf"«[ {NBSP}{NNBSP}]*|[ {NBSP}{NNBSP}]*»")


def inner_quotes(text: str, locale: object) -> str:
    """A text about to be quoted in «…» (a work's title in "Report «%(title)s»"), its own
    outermost «…» turned into the inner quotation marks of the language: «„Свобода“
    Азату»,  « “Liberté” pour Azat ». Left as it is when its « and » do not pair up."""
    inner = _INNER.get(language(locale))
    if not inner or "«" not in text:
        return text
    depth = 0
    for mark in _GUILLEMET.finditer(text):
        depth += 1 if "«" in mark.group() else -1
        if depth < 0:
            return text
    if depth:
        return text
    return _GUILLEMET.sub(_swapper(*inner), text)


def _swapper(opening: str, closing: str) -> Callable[[re.Match[str]], str]:
    depth = 0

    def swap(mark: re.Match[str]) -> str:
        nonlocal depth
        if "«" in mark.group():
            depth += 1
            return opening if depth == 1 else mark.group()
        depth -= 1
        return closing if depth == 0 else mark.group()

    return swap
