"""Characters no XML document may hold (C0 controls other than tab and line breaks, DEL,
U+FFFE/U+FFFF and lone surrogates): one stray U+0001 in a title makes feed.xml unreadable.

The importer strips them from every field, `sitegen check` names a file that holds one, and
the templates strip them from everything they write.
"""

from __future__ import annotations

import re

XML_FORBIDDEN = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff\ud800-\udfff]")


def strip_xml_forbidden(text: str) -> str:
    return XML_FORBIDDEN.sub("", text) if XML_FORBIDDEN.search(text) else text


def forbidden_character(text: str) -> str | None:
    """'U+0001' for the first forbidden character of the text, or None."""
    found = XML_FORBIDDEN.search(text)
    return f"U+{ord(found.group(0)):04X}" if found else None
