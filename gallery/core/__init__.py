"""Plumbing that names no gallery thing: database transactions and their file hooks, paging
cursors, tokens, sealed values, passwords, text cleaning and Markdown, typography."""
