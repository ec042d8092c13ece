"""Files saved beside the site (`bundle --with-assets`): the build writes links to them.

The bundle downloads a notice's images and attachments and hands the build, for each notice,
which URL was saved where (`assets/<name>`, relative to the site's root). The notice page then
receives that map as `assets`: its template writes local links for attachments, and the
`local_links` filter points the body's images and links at the saved files. Nothing reads the
written HTML back.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping

# Attributes as the renderer writes them: the body is sanitised HTML, always double-quoted.
_LINK_ATTRIBUTE = re.compile(r'\b(src|href)="([^"]*)"')


def local_links(body_html: str, saved: Mapping[str, str] | None, root: str) -> str:
    """The rendered body with its images and links to saved files pointing at them."""
    if not saved:
        return body_html

    def local(match: re.Match) -> str:
        path = saved.get(html.unescape(match.group(2)))
        return match.group(0) if path is None else f'{match.group(1)}="{html.escape(root + path)}"'

    return _LINK_ATTRIBUTE.sub(local, body_html)
