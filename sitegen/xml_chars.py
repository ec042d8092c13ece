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


# The forbidden characters below U+0080 as bytes (in UTF-8 no other character has such a byte).
_CONTROL_BYTES = bytes(code for code in [*range(0x20), 0x7F] if code not in (0x09, 0x0A, 0x0D))


def xml_safe_utf8(text: str) -> bytes:
    """strip_xml_forbidden(text) as UTF-8, checked at C speed: a page is checked whole,
    several times faster than by the pattern. The controls are looked for in the bytes, U+FFFE
    and U+FFFF in the text (a search for a character of the text is four times faster than for
    its three bytes, whose first, EF, starts every full-width punctuation mark); a lone
    surrogate cannot be encoded at all."""
    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError:
        return strip_xml_forbidden(text).encode("utf-8")
    if len(data.translate(None, _CONTROL_BYTES)) != len(data) or "\ufffe" in text or "\uffff" in text:
        return strip_xml_forbidden(text).encode("utf-8")
    return data


def forbidden_character(text: str) -> str | None:
    """'U+0001' for the first forbidden character of the text, or None."""
    found = XML_FORBIDDEN.search(text)
    return f"U+{ord(found.group(0)):04X}" if found else None
