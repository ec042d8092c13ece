"""The command line: a thin layer over sitegen's Python API."""

from __future__ import annotations

import os
import sys
from contextlib import contextmanager
from pathlib import Path

import click

from .errors import UserError, count, explain
from .sources import SOURCES

_source_option = click.option(
    "--source", "source_name", default="miit", show_default=True, type=click.Choice(sorted(SOURCES)),
    help="Whose search API: miit (工业和信息化部) or govcn (国务院政策文件库).")

ROOT = Path(".")  # the project: the folder commands run in, where sitegen.toml is


class _Commands(click.Group):
    """Every user mistake ends here as one line and exit status 1, never as a traceback."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except Exception as error:
            lines = explain(error)
            if lines is None or os.environ.get("SITEGEN_DEBUG"):
                raise
            for line in lines[:-1]:
                click.echo(line, err=True)
            raise click.ClickException(lines[-1]) from None


@click.group(cls=_Commands)
@click.version_option(package_name="sitegen")
def main() -> None:
    """Turn a ministry's policy notices into a fast, searchable static archive.

    Settings come from sitegen.toml in the folder you run in (or [tool.sitegen] in
    pyproject.toml), the same for every command; options override them.
    """


def _config(**overrides):
    from .config import load_config

    return load_config(ROOT, **overrides)


@main.command("init")
@click.argument("folder", type=click.Path(path_type=Path))
@click.option("--theme-copy", is_flag=True,
              help="Copy the default theme into FOLDER/themes/default to customise it.")
def init_command(folder: Path, theme_copy: bool) -> None:
    """Make a new archive in FOLDER: sitegen.toml, content/, netlify.toml, GitHub workflows.

    Never overwrites a file. Then: cd FOLDER, sitegen fetch or sitegen import, sitegen build.
    """
    from .init import init_project

    written = init_project(folder, theme_copy)
    theme = [path for path in written if path.relative_to(folder).parts[0] == "themes"]
    for path in written:
        if path not in theme:
            click.echo(f"  {path}")
    if theme:
        click.echo(f"  {folder / 'themes' / 'default'}/ ({count(len(theme), 'file')})")
    click.echo(f"A new archive in {folder}. Next: cd {folder}, edit sitegen.toml, then "
               "sitegen fetch --query WORDS (or sitegen import PAGES), sitegen build, sitegen serve.")


@main.command("fetch")
@click.option("--query", "-q", default="", help="Search words (empty: everything the filters allow).")
@click.option("--since", type=click.DateTime(["%Y-%m-%d"]), default=None, help="First publication date.")
@click.option("--until", type=click.DateTime(["%Y-%m-%d"]), default=None, help="Last publication date.")
@click.option("--out", default="raw", show_default=True, type=click.Path(file_okay=False, path_type=Path),
              help="Folder for the saved pages (one subfolder per query).")
@click.option("--page-size", default=20, show_default=True, type=click.IntRange(1, 1000),
              help="Records per page.")
@_source_option
@click.option("--origin", default=None,
              help="Site running the search API (another ministry, or a local server)  "
                   "[default: origin in sitegen.toml, else the source's]")
@click.option("--delay", default=1.0, show_default=True, help="Seconds between requests.")
@click.option("--tries", default=5, show_default=True, type=click.IntRange(1),
              help="Tries per page before giving up.")
@click.option("--type", "doc_type", default="", help="Only this document type.")
@click.option("--department", default="", help="Only this department.")
@click.option("--theme", default="", help="Only this theme.")
def fetch_command(query, since, until, out, page_size, source_name, origin, delay, tries,
                  doc_type, department, theme) -> None:
    """Save the search API's pages for a query, politely and resumably.

    Pages are saved verbatim as OUT/<query>/page-0001.json ... with a manifest.json.
    Interrupted, the next run continues where it stopped; once complete, the next
    run fetches only what is new. Then: sitegen import OUT/
    """
    from .sources import source_for
    from .sources.fetch import FetchError, FetchSettings, fetch

    filters = {k: v for k, v in (("type", doc_type), ("department", department), ("theme", theme)) if v}
    try:
        settings = FetchSettings(
            query=query, since=since.date() if since else None, until=until.date() if until else None,
            page_size=page_size, delay=delay, tries=tries, filters=filters,
        )
    except FetchError as error:
        raise click.ClickException(str(error)) from None
    source = source_for(source_name, _origin(origin))
    with click.progressbar(length=1, label="Fetching pages", file=sys.stderr) as bar:
        def on_page(page: int, last: int) -> None:
            bar.length = max(last, page)
            bar.update(page - bar.pos)

        try:
            report, folder = fetch(source, settings, out, on_page=on_page)
        except FetchError as error:
            raise click.ClickException(f"{error} (run the same command again to resume)") from None
    for line in report.warnings:
        click.echo(f"warning: {line}", err=True)
    click.echo(report.summary(folder))


@main.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--content", "content_dir", default=None,
              help="Archive folder to write into  [default: content in sitegen.toml, else content]")
@_source_option
@click.option("--origin", default=None,
              help="Site the pages came from; relative links and images are made absolute on it  "
                   "[default: origin in sitegen.toml, else the source's]")
@click.option("--verbose", "-v", is_flag=True, help="Also list warnings (dates, fidelity).")
def import_command(paths: tuple[Path, ...], content_dir: Path, source_name: str, origin: str | None,
                   verbose: bool) -> None:
    """Import search-API JSON pages (files or folders of them) into Markdown notices.

    Every notice becomes content/<year>/<id>.md with YAML front matter. Importing
    the same pages again changes no byte; files edited by hand are kept and
    reported as conflicts.
    """
    from .importer import import_pages, page_files
    from .sources import source_for

    config = _config(content=content_dir)
    source = source_for(source_name, _origin(origin))
    pages = page_files(paths)
    if not pages:
        raise UserError(f"no JSON pages in {', '.join(map(str, paths))} (sitegen fetch saves them)")
    with _progress_bars() as progress:
        report = import_pages(pages, ROOT / config.content, source, progress, ROOT / config.cache)
    for line in sorted(report.errors):
        click.echo(f"error: {line}", err=True)
    for line in report.conflicts:
        click.echo(f"conflict: {line}", err=True)
    if verbose:
        for line in report.warnings:
            click.echo(f"warning: {line}", err=True)
    click.echo(report.summary())
    if report.errors:
        raise SystemExit(1)


@contextmanager
def _progress_bars():
    """progress(step, done, total) for long work in steps: a bar per step, on stderr, each
    finished when the next begins."""
    current: list = []  # [step, bar]

    def progress(step: str, done: int, total: int) -> None:
        if not current or current[0] != step:
            if current:
                current[1].__exit__(None, None, None)
            current[:] = [step, click.progressbar(length=max(total, 1), label=step, file=sys.stderr).__enter__()]
        bar = current[1]
        bar.update(done - bar.pos)

    try:
        yield progress
    finally:
        if current:
            current[1].__exit__(None, None, None)


def _origin(option: str | None) -> str | None:
    """The origin given on the command line, else the one sitegen.toml sets (checked), else
    None: the source's own."""
    from .config import read_settings

    return _config(origin=option).origin if option else read_settings(ROOT).get("origin")


def _build(config, keep_going: bool, search: bool, shard: str | None = None, parts: tuple[Path, ...] = ()):
    from .config import check_output_folder, require_content
    from .shards import Shard, build_shard, merge_shards
    from .site.build import build_site

    job = Shard.parse(shard) if shard else None
    require_content(config, ROOT)
    check_output_folder(config, ROOT)
    config.theme_dir(ROOT)
    with click.progressbar(length=1, label="Building pages", file=sys.stderr) as bar:
        def advance(done: int, total: int) -> None:  # done: pages written so far
            bar.length = max(total, 1)
            bar.update(done - bar.pos)

        if parts:
            report = merge_shards(config, ROOT, list(parts), keep_going, search, advance)
        elif job:
            report = build_shard(config, ROOT, job, keep_going, search, advance)
        else:
            report = build_site(config, ROOT, keep_going=keep_going, search=search, progress=advance)
    for line in report.skipped:
        click.echo(f"skipped: {line}", err=True)
    click.echo(report.summary(Path(config.out)))
    return report


_content_option = click.option("--content", "content_dir", default=None,
                                help="Archive folder to read  [default: content]")
_out_option = click.option("--out", "out_dir", default=None, help="Folder to write the site into  [default: public]")
_theme_option = click.option("--theme", default=None, help="Theme folder  [default: themes/default]")


@main.command("build")
@_content_option
@_out_option
@_theme_option
@click.option("--keep-going", is_flag=True, help="Skip notices with bad front matter instead of stopping.")
@click.option("--no-search", is_flag=True, help="Write the pages without the Pagefind index.")
@click.option("--shard", default=None, metavar="K/N",
              help="Build only job K's share of N parallel jobs; `sitegen merge` joins the shares.")
def build_command(content_dir, out_dir, theme, keep_going, no_search, shard) -> None:
    """Build the static site from the Markdown archive.

    The output folder is replaced whole at the end, so it is never half-written;
    sitegen only ever replaces a folder it made.
    """
    _build(_config(content=content_dir, out=out_dir, theme=theme), keep_going, not no_search, shard)


@main.command("merge")
@click.argument("parts", nargs=-1, required=True, type=click.Path(exists=True, file_okay=False, path_type=Path))
@_content_option
@_out_option
@_theme_option
@click.option("--keep-going", is_flag=True, help="Skip notices with bad front matter instead of stopping.")
@click.option("--no-search", is_flag=True, help="The parts were built without the Pagefind index.")
def merge_command(parts, content_dir, out_dir, theme, keep_going, no_search) -> None:
    """Join the outputs of `sitegen build --shard K/N` jobs into the site (docs/scale.md).

    What the parts lack is built; the site is the one a single build makes.
    """
    _build(_config(content=content_dir, out=out_dir, theme=theme), keep_going, not no_search, parts=parts)


@main.command("bundle")
@_content_option
@_theme_option
@click.option("--out", "target", default="archive.zip", show_default=True,
              type=click.Path(dir_okay=False, path_type=Path), help="The zip to write.")
@click.option("--with-assets", is_flag=True,
              help="Download the images and attachments the notices link to into the bundle.")
@click.option("--max-asset-mb", default=50, show_default=True, type=click.IntRange(1),
              help="Skip any asset larger than this.")
def bundle_command(content_dir, theme, target, with_assets, max_asset_mb) -> None:
    """Build the site into one zip that works offline, opened from disk.

    Unzip it anywhere and double-click index.html: every page, every browse page
    and full-text search work with no server and no network. Without
    --with-assets, images and attachments stay on the ministry's site, and the
    pages say so.
    """
    from .bundle import make_bundle
    from .config import require_content

    config = _config(content=content_dir, theme=theme)
    require_content(config, ROOT)
    report = make_bundle(config, ROOT, target, with_assets, max_asset_mb * 1_048_576)
    for line in report.failed_assets:
        click.echo(f"not fetched: {line}", err=True)
    click.echo(report.summary(target))


@main.command("check")
@_content_option
@click.option("--relations", is_flag=True,
              help="Also list repeal/amendment sentences whose target is not one notice of the archive.")
def check_command(content_dir, relations) -> None:
    """Validate every notice against the front-matter schema (docs/schema.md).

    Prints file:line: field: reason for each problem and exits 1 if there is any:
    run it in CI on pull requests that change content/. With --relations, also
    prints file:line: reason for each act on a document the archive does not hold
    or cannot tell apart (these are reported, not errors).
    """
    from .config import require_content
    from .stats import check_archive, check_relations

    config = _config(content=content_dir)
    folder = require_content(config, ROOT)
    errors = check_archive(folder, ROOT / config.cache)
    for line in errors:
        click.echo(line)
    doubts = []
    if relations:
        doubts = check_relations(folder, ROOT / config.cache)
        for line in doubts:
            click.echo(line)
    if errors:
        raise SystemExit(1)
    doubted = f"; {len(doubts)} relations in doubt" if relations else ""
    click.echo(f"{folder}: every notice file is valid{doubted}")


@main.command("stats")
@_content_option
def stats_command(content_dir) -> None:
    """Count notices by year, column, theme and issuer, and size up the citation graph."""
    from .config import require_content
    from .stats import archive_stats, format_stats

    folder = require_content(_config(content=content_dir), ROOT, empty_ok=True)  # 0 notices
    click.echo(format_stats(archive_stats(folder)))


@main.command("serve")
@_content_option
@_out_option
@_theme_option
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535),
              help="Port on 127.0.0.1.")
@click.option("--no-watch", is_flag=True, help="Build once and serve, without watching for changes.")
@click.option("--no-build", is_flag=True, help="Serve the output folder as it is (implies --no-watch).")
def serve_command(content_dir, out_dir, theme, port, no_watch, no_build) -> None:
    """Preview the site on http://127.0.0.1:PORT/ as it will be deployed (Ctrl-C stops).

    Watches the content, the theme, sitegen.toml and netlify.toml: after a change
    the site is rebuilt and open pages reload; a rebuild that fails keeps the last
    good site and shows the error in the terminal and on the page.
    """
    from .config import check_output_folder, require_content
    from .serve import Preview, make_server, netlify_header_rules, serve

    options = {"content": content_dir, "out": out_dir, "theme": theme}
    config = _config(**options)
    if not no_build:
        require_content(config, ROOT)
        check_output_folder(config, ROOT)
    rules = netlify_header_rules(ROOT / "netlify.toml")
    if no_build or no_watch:
        server = make_server(ROOT / config.out, port, rules=rules)  # a busy port stops us first
        if not no_build:
            _build(config, keep_going=True, search=True)
        click.echo(f"Serving {config.out} on http://127.0.0.1:{server.server_address[1]}/ "
                   "(Ctrl-C to stop)")
        serve(server)
        return
    preview = Preview(lambda: _config(**options), ROOT, lambda line: click.echo(line, err=True))
    server = make_server(ROOT / config.out, port, rules=preview.rules, live=preview.live)
    report = preview.first_build()
    for line in report.skipped:
        click.echo(f"skipped: {line}", err=True)
    click.echo(report.summary(Path(config.out)))
    click.echo("The search index catches up in the background (search works once it says so).")
    click.echo(f"Serving {config.out} on http://127.0.0.1:{server.server_address[1]}/ with live "
               "reload (Ctrl-C to stop)")
    preview.run(server)


if __name__ == "__main__":
    main()
