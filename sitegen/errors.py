"""The one kind of error a user can fix: the CLI prints it as one line (after any details)
and exits with status 1; it never shows a traceback."""

from __future__ import annotations


class UserError(Exception):
    """A mistake in the input, the settings or the command line, said in one line.

    details are printed before the line (one problem each, e.g. `file:line: field: reason`).
    """

    def __init__(self, message: str, details: list[str] | tuple[str, ...] = ()):
        super().__init__(message)
        self.details = list(details)


def count(number: int, noun: str, plural: str | None = None) -> str:
    """"1 notice", "2 notices": counts that read as words in a sentence."""
    return f"{number} {noun if number == 1 else plural or noun + 's'}"


def explain(error: BaseException) -> list[str] | None:
    """A user's mistake as the lines to show (details first, the one-line reason last);
    None for anything else, which is a bug and keeps its traceback."""
    import jinja2

    if isinstance(error, UserError):
        return [*error.details, str(error)]
    if isinstance(error, jinja2.TemplateError):  # a mistake in a customised theme
        return [f"theme: {_template_place(error)}{error.message}"]
    if isinstance(error, OSError):  # the machine said no: permissions, a full disk
        in_the_way = _file_in_the_way(error)
        if in_the_way:
            within = "" if in_the_way == error.filename else f" ({in_the_way})"
            return [f"{error.filename}: a file{within} is where a folder is needed"]
        where = f": {error.filename}" if error.filename else ""
        return [f"{error.strerror or error}{where}"]
    return None


def _file_in_the_way(error: OSError) -> str | None:
    """The file standing where a folder had to be made or entered, if that is what went wrong."""
    import errno
    from pathlib import Path

    if error.errno not in (errno.ENOTDIR, errno.EEXIST) or not isinstance(error.filename, str):
        return None
    path = Path(error.filename)
    for folder in reversed([path, *path.parents]):
        if folder.exists() and not folder.is_dir():
            return str(folder)
    return None


def _template_place(error) -> str:
    """`file:line: ` of a template error: where the parser stopped, or the deepest template line
    that ran (Jinja puts template lines into the traceback); empty if neither is known."""
    if getattr(error, "filename", None):
        return f"{error.filename}:{error.lineno}: "
    place = ""
    frame = error.__traceback__
    while frame is not None:
        name = frame.tb_frame.f_code.co_filename
        if not name.endswith(".py") and not name.startswith("<"):
            place = f"{name}:{frame.tb_lineno}: "
        frame = frame.tb_next
    return place
