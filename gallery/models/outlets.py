"""Outlets that Russia has declared "undesirable organisations".

Inside Russia, reposting material of an "undesirable" organisation is an administrative
offence (Art. 20.33 of the Code of Administrative Offences: fines), and a repeat within a
year can be prosecuted as a crime (Art. 284.1 of the Criminal Code). Readers there must not
be nudged into sharing such a source, so every source whose address belongs to one of these
outlets is marked on the page, beside a warning, whatever the moderator typed. Moderators can
mark other outlets by hand. Reading these sites is not an offence, and this list is no
judgement of their journalism.

Each entry: the outlet's domains, the date of the decision, and a report of it.
"""

from __future__ import annotations

from urllib.parse import urlsplit

UNDESIRABLE_OUTLETS: tuple[tuple[tuple[str, ...], str, str], ...] = (
    (
        ("meduza.io",),
        "2023-01-26",
        "https://mk.ru/amp/social/2023/01/26/genprokuratura-rf-priznala-organizaciyu-medusa-project-nezhelatelnoy.html",
    ),
    (
        ("novayagazeta.eu",),
        "2023-06-28",
        "https://meduza.io/en/news/2023/06/28/russia-declares-novaya-gazeta-europe-undesirable-organization",
    ),
    # Radio Free Europe/Radio Liberty and its Russian-language sites.
    (
        (
            "rferl.org",
            "svoboda.org",
            "currenttime.tv",
            "idelreal.org",
            "sibreal.org",
            "severreal.org",
            "kavkazr.com",
            "krymr.com",
        ),
        "2024-02-02",
        "https://radio1.ru/amp/obschestvo/radio-svoboda-priznali-nezhelatelnoi-organizatsiei-v-rossii",
    ),
    (
        ("themoscowtimes.com", "moscowtimes.ru"),
        "2024-07-10",
        "https://iz.ru/1725574/2024-07-10/genprokuratura-rossii-priznala-deiatelnost-moscow-times-nezhelatelnoi",
    ),
)

_DOMAINS = frozenset(domain for domains, _day, _report in UNDESIRABLE_OUTLETS for domain in domains)


def is_undesirable(url: str) -> bool:
    """Whether the address is on the site of an outlet declared "undesirable" in Russia
    (the domain itself or any of its subdomains: "amp.meduza.io", not "notmeduza.io")."""
    try:
        host = (urlsplit(url).hostname or "").rstrip(".").lower()
    except ValueError:
        return False
    labels = host.split(".")
    return any(".".join(labels[i:]) in _DOMAINS for i in range(len(labels) - 1))
