"""Files saved beside the site (`bundle --with-assets`): the build writes links to them.

The bundle downloads a notice's images and attachments and hands the build, for each notice,
which URL was saved where (`assets/<name>`, relative to the site's root). The notice page then
receives that map as `assets`: its template writes local links for attachments, and the
`local_links` filter points the body's images and links at the saved files. Nothing reads the
written HTML back.

An image left on the ministry's site (not saved: every image of an online build, those a
bundle could not fetch) is marked as attachments are: `（图片位于原网站）` after it, so a
reader offline knows why it does not show.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from fnmatch import fnmatchcase
from urllib.parse import urlsplit

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


_IMAGE = re.compile(r'<img\b[^>]*?\bsrc="(https?://[^"]*)"[^>]*>', re.IGNORECASE)
REMOTE_IMAGE_NOTE = '<span class="note">（图片位于原网站）</span>'
OTHER_SITE_IMAGE_NOTE = '<span class="note">（图片位于其他网站）</span>'


def remote_images(body_html: str, config) -> str:
    """`{{ body|remote_images(config) }}`: mark_remote_images with the site's origin and hosts."""
    return mark_remote_images(body_html, config.origin, tuple(config.asset_hosts))


def mark_remote_images(body_html: str, origin: str, hosts: tuple[str, ...] = ()) -> str:
    """The rendered body with a note after each image still on the web (an absolute URL): on
    the origin or one of `hosts` ("*.example.gov.cn") it is 位于原网站, elsewhere 位于其他网站."""
    if "<img" not in body_html:
        return body_html
    home = (urlsplit(origin).hostname or "").lower()

    def note(match: re.Match) -> str:
        host = (urlsplit(html.unescape(match.group(1))).hostname or "").lower()
        ours = host == home or any(fnmatchcase(host, pattern.lower()) for pattern in hosts)
        return match.group(0) + (REMOTE_IMAGE_NOTE if ours else OTHER_SITE_IMAGE_NOTE)

    return _IMAGE.sub(note, body_html)
