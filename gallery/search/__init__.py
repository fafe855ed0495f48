"""Full-text search of published works and prisoner profiles, on SQLite and PostgreSQL.

One table, `search_document`, holds a row per searchable thing (kind "work" or "prisoner",
its id, a title and a body), written as *folded* words: lower-case (casefold), accents and
other combining marks removed after NFKD (so "ё" is "е", "Café" is "cafe"; "й" stays a
letter of its own, which Russian endings need), every run of letters and digits one word,
words joined by single spaces. Queries are folded the same way, so "Азат", "азат" and
"АЗАТ" are one word.

Stemming (Snowball, the algorithms PostgreSQL's `english`, `french` and `russian`
text-search configurations use). A document is stemmed in all three languages, since its
words may be in any of them; a query in the visitor's language (and, for a word in
Cyrillic, in Russian too). A document's *lexemes* are its folded words and their stems in
the three configurations; a query word finds a document when the word, or its stem in the
query's configuration, is one of the document's lexemes, or (when the word has at least
PREFIX_MIN letters) begins one. Every query word must find the document. So "Мифтахову"
(stem "мифтахов") finds "Мифтахов" and "Мифтахова", "prisonniers" (stem "prisonni") finds
"Prisonnier", and an English title is found from /fr/ and /ru/ (its words are lexemes
whatever the language; /ru/ stems a Latin word in English, as PostgreSQL's `russian` does).

- SQLite: Python cannot give FTS5 a tokenizer, so the stems are computed here
  (`snowballstemmer`, one stemmer per language and thread, the stems of a word cached) and
  stored beside the words: `title_stems` and `body_stems` hold, for each word, its stems
  that differ from it. An FTS5 table over the four columns (external content, tokenizer
  `unicode61 remove_diacritics 0`: the text is folded already, and "й" must stay "й"),
  kept in step by triggers; ranked by bm25, a title word weighing ten times a body word.
  A query word is `("word"* OR "stem"*)`.
- PostgreSQL: stems with its own configurations. A GIN index on the folded title (weight A)
  and body (weight B), each `to_tsvector` in `simple` (the words), `english`, `french` and
  `russian` (their stems), concatenated; ranked by ts_rank. A query word is
  `to_tsquery('simple', 'word':*) || to_tsquery('<language>', 'word':*)`. The stem columns
  are filled there too (a backup copies PostgreSQL's rows into SQLite) but not read.

The two agree on what is found, but for what each stems differently: PostgreSQL's own
Snowball may be an older release than the library's (a handful of words, e.g. English
"added" is "ad" in PostgreSQL 15, "add" in Snowball 3), and its configurations drop stop
words ("the", "и", "les") from the stems, not from the words; a stop word typed is still
looked for as a word on both.

Both indexes are created by the migration, and by `db.create_all()` through DDL events on
the table (the tests, and backups, make their tables that way). A query is built from folded
word tokens only, each quoted: never from what the visitor typed.

The verbs keep the index in step (`index_work`, `drop_work`, `index_prisoner`: flushed,
never committed); a work is in the index only while it is approved and not hidden, and
the query checks that again on the work itself. `reindex()` rebuilds everything."""

from __future__ import annotations

from .folding import DEFAULT_CONFIG, LANGUAGES, STEMMED, fold, folded_text, lexemes, stem, words
from .index import (
    FTS_TABLE,
    PG_INDEX,
    PG_VECTOR,
    POSTGRES_DDL,
    POSTGRES_DROP,
    PRISONER,
    SQLITE_DDL,
    SQLITE_DROP,
    WORK,
    SearchDocument,
    document_row,
    drop_prisoners,
    drop_work,
    drop_works,
    include_name,
    index_ddl,
    index_drop,
    index_prisoner,
    index_work,
    is_public,
    prisoner_document,
    reindex,
    stems,
    work_document,
    work_texts,
)
from .query import (
    MAX_QUERY_LENGTH,
    MAX_TERMS,
    PREFIX_MIN,
    TITLE_WEIGHT,
    Hit,
    QueryRefused,
    Result,
    Results,
    Terms,
    config_for,
    find,
    highlight,
    parse_query,
    plain,
    snippet,
    work_neighbours,
)

__all__ = [
    "DEFAULT_CONFIG",
    "FTS_TABLE",
    "Hit",
    "LANGUAGES",
    "MAX_QUERY_LENGTH",
    "MAX_TERMS",
    "PG_INDEX",
    "PG_VECTOR",
    "POSTGRES_DDL",
    "POSTGRES_DROP",
    "PREFIX_MIN",
    "PRISONER",
    "QueryRefused",
    "Result",
    "Results",
    "SQLITE_DDL",
    "SQLITE_DROP",
    "STEMMED",
    "SearchDocument",
    "TITLE_WEIGHT",
    "Terms",
    "WORK",
    "config_for",
    "document_row",
    "drop_prisoners",
    "drop_work",
    "drop_works",
    "find",
    "fold",
    "folded_text",
    "highlight",
    "include_name",
    "index_ddl",
    "index_drop",
    "index_prisoner",
    "index_work",
    "is_public",
    "lexemes",
    "parse_query",
    "plain",
    "prisoner_document",
    "reindex",
    "snippet",
    "stem",
    "stems",
    "words",
    "work_document",
    "work_neighbours",
    "work_texts",
]
