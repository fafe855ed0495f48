"""Verbs: every state change, for the views and the CLI alike.

Each verb takes the write lock first (database.begin_write), changes rows, records its
audit event and flushes; it never commits. The request or the CLI command commits once,
so two verbs can share one transaction. File work waits for the transaction's end:
files are deleted only after the commit, and new files are removed on a rollback."""

from __future__ import annotations

# The action is not possible in the current state (409); str() is a short code.
from ..core.errors import NotAllowed as NotAllowed
