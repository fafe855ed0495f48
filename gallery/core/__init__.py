"""Plumbing that names no gallery thing: database transactions and their file hooks, paging
cursors, tokens, sealed values, passwords, text cleaning and Markdown, typography, the
background courier that mail and federation deliver with (courier.py), and the one error
hierarchy (errors.py) with its translation marker (i18n.N_)."""
