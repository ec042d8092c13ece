"""Dates of the CMS are epoch milliseconds; people read them in Beijing time."""

from __future__ import annotations

import datetime as dt

BEIJING = dt.timezone(dt.timedelta(hours=8), "Asia/Shanghai")


class DateError(ValueError):
    pass


def beijing_date(epoch_ms: object) -> dt.date | None:
    """The Beijing calendar date of an epoch-milliseconds value; None when unknown.

    The CMS writes "unknown" as an empty string, "0", 0 or null: never 1970-01-01.
    """
    if epoch_ms is None or isinstance(epoch_ms, bool):
        return None
    if not isinstance(epoch_ms, (str, int, float)):
        raise DateError(f"not an epoch-milliseconds date: a {type(epoch_ms).__name__}")
    text = str(epoch_ms).strip()
    if text in ("", "0", "null", "None"):
        return None
    try:
        millis = int(float(text)) if "." in text else int(text)
    except ValueError:
        raise DateError(f"not an epoch-milliseconds date: {text[:40]!r}") from None
    if millis <= 0:
        return None
    try:
        moment = dt.datetime.fromtimestamp(millis / 1000, BEIJING)
    except (OverflowError, OSError, ValueError):
        raise DateError(f"date out of range: {text[:40]!r}") from None
    return moment.date()
