"""The pages Pagefind indexes: one per notice, its text as search tokens, never published.

Pagefind reads these instead of the site's pages, so what it indexes is exactly
the notice's title, file number and body as bigram tokens. Listing, filtering and
sorting use records.js (written from the same notices), and the snippet uses the
plain text kept in the `text` meta.
"""

from __future__ import annotations

import html

from ..notice import Notice


def searchable_text(notice: Notice, body_text: str) -> str:
    return "\n".join(part for part in (notice.title, notice.file_number, body_text) if part)


def search_document(notice: Notice, text: str, tokens: str) -> str:
    """The page Pagefind indexes: tokens as content; title and plain text as meta."""
    date = notice.date.isoformat() if notice.date else ""
    # Meta in element form: values may hold commas and colons.
    return (
        '<!DOCTYPE html><html lang="und"><head><meta charset="utf-8"><title>x</title></head><body>'
        f'<main data-pagefind-body data-pagefind-sort="date:{date}">'
        f'<div data-pagefind-ignore><p data-pagefind-meta="title">{html.escape(notice.title)}</p>'
        f'<p data-pagefind-meta="text">{html.escape(text)}</p></div>'
        f"<p>{html.escape(tokens)}</p></main></body></html>\n"
    )
