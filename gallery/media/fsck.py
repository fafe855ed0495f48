"""What fsck finds, in either store: one comparison of what is stored with what the rows
name (leftovers in staging/, orphans under works/, missing files); each store lists its own
entries and repairs in its own way."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TypeVar

Entry = TypeVar("Entry")


@dataclass
class FsckReport:
    """What fsck() found, and whether it repaired it."""

    staging_leftovers: list[str]
    orphans: list[str]
    missing: list[tuple[str, str]]
    repaired: bool

    @property
    def problems_left(self) -> bool:
        """True if anything unrepaired remains; missing files never can be repaired."""
        unrepaired = bool(self.staging_leftovers or self.orphans) and not self.repaired
        return bool(self.missing) or unrepaired


def compare(
    expected: Mapping[str, set[str]],
    staging: Mapping[str, Entry],
    works: Mapping[str, Entry],
    *,
    modified: Callable[[Entry], float],
    stored: Callable[[str], set[str]],
    cutoff: float,
    repaired: bool,
) -> FsckReport:
    """Compare a store with expected {key: {filenames}}: the entries of staging/ and the
    keys under works/ that no row names, modified before cutoff (younger ones may belong to
    an upload whose row is not committed yet), and the files a row names that stored(key)
    does not hold.  staging and works map each name to the store's own entry, whose time
    modified() reads (only when it matters)."""
    leftovers = sorted(n for n, entry in staging.items() if modified(entry) < cutoff)
    orphans = sorted(
        n for n, entry in works.items() if n not in expected and modified(entry) < cutoff
    )
    missing = sorted(
        (key, name) for key, names in expected.items() for name in set(names) - stored(key)
    )
    return FsckReport(leftovers, orphans, missing, repaired=repaired)
