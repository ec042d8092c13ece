"""Importing into a large archive: only the files a new notice can touch are read, the index
that stands for the others is never trusted once stale, and the result is always the one a
fresh import of everything gives."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from sitegen import importer
from sitegen.content_index import INDEX_NAME

from .samples import make_page, make_record, write_page


def archive_records(count: int) -> list[dict]:
    """Notices with distinct titles and file numbers, one in five with an attachment."""
    records = []
    for n in range(count):
        body = f"<p>第{n}号文件的正文，关于事项{n}。</p>"
        if n % 5 == 0:
            body += f'<p><a href="/files/{n}.docx">附件{n}.docx</a></p>'
        records.append(make_record(f"r{n:03d}", f"关于事项{n}的通知", body,
                                   filenumbername=f"工信部信管〔2020〕{n + 1}号"))
    return records


def files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*.md"))}


@pytest.fixture
def counted_reads(monkeypatch):
    """The notice files an import reads in full."""
    reads: list[str] = []
    original = importer._read_file

    def read_file(content_dir, path):
        reads.append(path)
        return original(content_dir, path)

    monkeypatch.setattr(importer, "_read_file", read_file)
    return reads


def import_all(tmp_path: Path, name: str, *pages: Path) -> Path:
    content = tmp_path / name / "content"
    for page in pages:
        importer.import_pages([page], content)
    return content


def test_one_new_notice_reads_only_the_files_it_can_merge_with(tmp_path, counted_reads):
    old = write_page(tmp_path / "old.json", make_page(*archive_records(40)))
    content = import_all(tmp_path, "archive", old)
    assert (tmp_path / "archive" / ".sitegen-cache" / INDEX_NAME).is_file()
    counted_reads.clear()

    new = make_record("new", "关于新事项的通知", "<p>新的正文。</p>", filenumbername="工信部信管〔2021〕1号")
    report = importer.import_pages([write_page(tmp_path / "new.json", make_page(new))], content)
    assert report.created == ["new"]
    assert counted_reads == []  # nothing in the archive shares its id, number or title

    # A republication of notice 7 (same file number, another id) reads notice 7's file only,
    # and merges into it exactly as an import of everything at once does.
    again = make_record("r7-copy", "关于事项7的通知", "<p>第7号文件的正文，关于事项7。</p>",
                        filenumbername="工信部信管〔2020〕8号", columnname="政策解读")
    page = write_page(tmp_path / "again.json", make_page(again))
    importer.import_pages([page], content)
    assert counted_reads == ["2020/r007.md"]
    reference = import_all(tmp_path, "reference", old, tmp_path / "new.json", page)
    assert files(content) == files(reference)


@pytest.mark.parametrize("passes", [0, 1, 3])
def test_the_files_read_are_reached_step_by_step_however_few_passes_are_made(tmp_path, counted_reads,
                                                                               monkeypatch, passes):
    """A republication of A (its file number, another title) reaches A, and through A's title
    B, a different notice of the same title: both are read, whether found by passes over the
    index or (a longer chain) by indexing every file by its keys."""
    a = make_record("a", "关于甲的通知", "<p>甲的正文，讲第一件事。</p>", filenumbername="工信部信管〔2019〕1号")
    b = make_record("b", "关于甲的通知", "<p>另一份同名通知，讲的是完全不同的第二件事情。</p>",
                    filenumbername="工信部信管〔2019〕2号")
    old = write_page(tmp_path / "old.json", make_page(a, b, *archive_records(10)))
    content = import_all(tmp_path, "archive", old)
    counted_reads.clear()
    monkeypatch.setattr(importer, "QUICK_PASSES", passes)
    again = make_record("a-copy", "关于甲的通知（转发）", "<p>甲的正文，讲第一件事。</p>",
                        filenumbername="工信部信管〔2019〕1号", columnname="政策解读")
    page = write_page(tmp_path / "again.json", make_page(again))
    importer.import_pages([page], content)
    assert sorted(counted_reads) == ["2020/a.md", "2020/b.md"]
    assert files(content) == files(import_all(tmp_path, "reference", old, page))


def test_a_file_changed_behind_the_index_is_read_again(tmp_path):
    page = write_page(tmp_path / "p.json", make_page(*archive_records(10)))
    content = import_all(tmp_path, "archive", page)
    path = content / "2020" / "r003.md"
    stat = path.stat()
    text = path.read_text(encoding="utf-8")
    # A hand edit of the same size, its mtime put back: only the ctime tells.
    path.write_text(text.replace("事项3。", "事项8。"), encoding="utf-8")
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert path.stat().st_size == stat.st_size
    report = importer.import_pages([page], content)
    assert report.conflicts == [f"{path}: edited by hand; kept, not replaced by the import"]
    assert "事项8。" in path.read_text(encoding="utf-8")


def test_an_old_index_is_never_trusted(tmp_path):
    """The index of an earlier state (a restored cache, or a run killed before it stored its
    own): every file whose stamp moved is read again, so nothing is lost or doubled."""
    first = write_page(tmp_path / "p1.json", make_page(*archive_records(10)))
    content = import_all(tmp_path, "archive", first)
    index = tmp_path / "archive" / ".sitegen-cache" / INDEX_NAME
    shutil.copy(index, tmp_path / "old-index")
    # Notice 2 moves to 2021 (a new file, the old one deleted); notice 4 merges into a new one.
    moved = make_record("r002", "关于事项2的通知", "<p>更正后的正文。</p>", cdate="1609459200000",
                        filenumbername="工信部信管〔2020〕3号")
    richer = make_record("z-richer", "关于事项4的通知", "<p>第4号文件的正文，关于事项4。</p>",
                         filenumbername="工信部信管〔2020〕5号", xxgkextend2="工业和信息化部",
                         publishgroupname="信息通信管理局", themename="信息通信管理")
    second = write_page(tmp_path / "p2.json", make_page(moved, richer))
    importer.import_pages([second], content)
    shutil.copy(tmp_path / "old-index", index)
    report = importer.import_pages([second], content)
    assert not report.errors and not report.conflicts
    assert files(content) == files(import_all(tmp_path, "reference", first, second))
    assert not (content / "2020" / "r002.md").exists() and (content / "2021" / "r002.md").exists()


def test_a_run_killed_before_storing_its_index_leaves_nothing_wrong(tmp_path, monkeypatch):
    first = write_page(tmp_path / "p1.json", make_page(*archive_records(10)))
    content = import_all(tmp_path, "archive", first)
    second = write_page(tmp_path / "p2.json", make_page(
        make_record("r005-copy", "关于事项5的通知", "<p>第5号文件的正文，关于事项5。</p>",
                    filenumbername="工信部信管〔2020〕6号", xxgkextend2="工业和信息化部",
                    themename="信息通信管理", publishgroupname="信息通信管理局"),
        make_record("fresh", "关于新事项的通知", "<p>新的。</p>")))

    def killed(*args):
        raise KeyboardInterrupt  # every file is written; the index is not

    monkeypatch.setattr(importer, "store_index", killed)
    with pytest.raises(KeyboardInterrupt):
        importer.import_pages([second], content)
    monkeypatch.undo()
    report = importer.import_pages([second], content)
    assert report.created == [] and not report.updated and len(report.unchanged) == 2
    assert files(content) == files(import_all(tmp_path, "reference", first, second))


def test_pages_converted_in_workers_come_back_whole_in_order(tmp_path, monkeypatch):
    """Pages go to worker processes a few at a time; the bodies wait in a file, and the
    notices come out as a single process makes them."""
    monkeypatch.setattr(importer, "POOL_BYTES", 0)
    monkeypatch.setattr(importer, "PAGES_AHEAD", 1)
    records = archive_records(12)
    pages = [write_page(tmp_path / "pages" / f"p{n}.json", make_page(*records[n::4])) for n in range(4)]
    content = tmp_path / "batched"
    report = importer.import_pages(pages, content)
    assert len(report.created) == 12
    monkeypatch.undo()
    assert files(content) == files(import_all(tmp_path, "reference", *pages))
    assert "第11号文件的正文" in (content / "2020" / "r011.md").read_text(encoding="utf-8")


def test_one_page_is_shared_by_the_workers_while_the_archive_is_scanned(tmp_path, monkeypatch):
    """A new day's page into a big archive: each worker converts every other record of it, and
    the importer scans the archive meanwhile; the notices come out as one process makes them
    (a record repeated on the page counts once, where it first appears)."""
    old = write_page(tmp_path / "old.json", make_page(*archive_records(40)[:30]))
    records = archive_records(40)[30:]
    page = write_page(tmp_path / "pages" / "p.json", make_page(*records, records[0]))
    content = import_all(tmp_path, "shared", old)
    events: list[str | tuple] = []
    submit, scan, results = importer.Workers.submit, importer.scan_archive, importer._page_results

    def sent(self, function, *args, inline=False):
        events.append(("sent", *args[2:]))
        return submit(self, function, *args, inline=inline)

    def scanned(*args):
        events.append("scan")
        return scan(*args)

    def taken(*args):
        events.append("result")
        return results(*args)

    monkeypatch.setenv("SITEGEN_WORKERS", "2")
    monkeypatch.setattr(importer, "POOL_BYTES", 0)
    monkeypatch.setattr(importer.Workers, "submit", sent)
    monkeypatch.setattr(importer, "scan_archive", scanned)
    monkeypatch.setattr(importer, "_page_results", taken)
    report = importer.import_pages([page], content)
    assert events[:4] == [("sent", 0, 2), ("sent", 1, 2), "scan", "result"]
    assert len(report.created) == 10
    monkeypatch.undo()
    assert files(content) == files(import_all(tmp_path, "reference", old, page))


def test_attachments_a_merged_duplicate_brought_stay_on_the_next_import(tmp_path):
    """Importing the same page twice changes no byte, also after a merge across imports."""
    poor = make_record("a-poor", "关于甲的通知", '<p>甲。</p><p><a href="/files/jia.docx">附件.docx</a></p>',
                       filenumbername="工信部信管〔2020〕1号")
    rich = make_record("b-rich", "关于甲的通知", "<p>甲。</p>", filenumbername="工信部信管〔2020〕1号",
                       xxgkextend2="工业和信息化部", publishgroupname="信息通信管理局", themename="信息通信管理")
    content = tmp_path / "content"
    importer.import_pages([write_page(tmp_path / "p1.json", make_page(poor))], content)
    page = write_page(tmp_path / "p2.json", make_page(rich))
    importer.import_pages([page], content)
    merged = files(content)
    assert list(merged) == ["2020/b-rich.md"] and b"jia.docx" in merged["2020/b-rich.md"]
    report = importer.import_pages([page], content)
    assert report.unchanged == ["b-rich"] and files(content) == merged


def test_duplicate_groups_ask_for_the_bodies_of_notices_sharing_a_title_only():
    from sitegen.dedup import duplicate_groups
    from sitegen.notice import Notice

    notices = [Notice(id=f"u{n}", title=f"关于事项{n}的通知", body="正文") for n in range(5)]
    notices += [Notice(id=f"s{n}", title="关于同名事项的通知", body=f"第{n}份不同的正文，各不相同。") for n in range(3)]
    asked = []

    def body_of(notice):
        asked.append(notice.id)
        return notice.body

    groups = duplicate_groups(notices, body_of)
    assert len(groups) == 8
    assert set(asked) == {"s0", "s1", "s2"}  # the importer keeps the other bodies on disk


def test_a_write_that_fails_stops_the_import_with_its_reason_and_no_index(tmp_path):
    """Files are written on threads of their own while the importer goes on: a failure there
    still reaches the caller, and the index (which would trust what was written) is not
    stored; the next import, once the cause is gone, gives what a clean one gives."""
    records = [make_record("a", "关于甲的通知", "<p>甲。</p>")]  # 2020
    records += [make_record(f"b{n}", f"关于乙{n}的通知", f"<p>乙{n}。</p>", cdate="1622476800000")
                for n in range(20)]  # 2021
    _a_failed_write_stops_with_no_index_and_the_next_import_repairs(tmp_path, records, OSError)


def test_a_merge_writes_the_merged_file_before_it_removes_the_others(tmp_path, monkeypatch):
    """Among writes on several threads, a group's are done in order: a run killed between them
    leaves a duplicate, never a loss."""
    first = make_record("a-first", "关于甲的通知", "<p>甲。</p>", cdate="1577836800000")
    content = tmp_path / "content"
    importer.import_pages([write_page(tmp_path / "p1.json", make_page(first))], content)
    richer = make_record("b-rich", "关于甲的通知", "<p>甲。</p>", xxgkextend2="工业和信息化部",
                         publishgroupname="信息通信管理局", themename="信息通信管理")
    others = [make_record(f"c{n}", f"关于丙{n}的通知", f"<p>丙{n}。</p>") for n in range(30)]
    done: list[str] = []
    original = importer.write_atomic

    def write_atomic(path, text):
        original(path, text)
        done.append(f"wrote {path.name}")

    def unlink(path):
        done.append(f"removed {path.name} after {len([d for d in done if 'b-rich' in d])} b-rich")
        path.unlink()

    monkeypatch.setattr(importer, "write_atomic", write_atomic)
    monkeypatch.setattr(importer, "_unlink", unlink)
    report = importer.import_pages([write_page(tmp_path / "p2.json", make_page(richer, *others))], content)
    assert "wrote b-rich.md" in done and "removed a-first.md after 1 b-rich" in done
    assert report.merged == [] and len(report.created) == 31
    assert sorted(p.name for p in (content / "2020").iterdir()) == sorted(
        ["b-rich.md", *(f"c{n}.md" for n in range(30))])


def test_texts_of_shared_titles_compared_on_the_workers_give_the_same_groups(monkeypatch):
    from sitegen import parallel
    from sitegen.dedup import duplicate_groups
    from sitegen.notice import Notice

    notices = []
    for title in range(30):
        text = "".join(chr(0x4E00 + (title * 7 + n * 13) % 500) for n in range(200))
        notices += [Notice(id=f"t{title}-a", title=f"关于第{title}件事的通知", body=text),
                    Notice(id=f"t{title}-b", title=f"关于第{title}件事的通知", body=text + "（转载）"),
                    Notice(id=f"t{title}-c", title=f"关于第{title}件事的通知", body=text[::-1])]
    alone = [sorted(n.id for n in group) for group in duplicate_groups(notices)]
    monkeypatch.setattr(parallel, "POOL_THRESHOLD", 0)
    monkeypatch.setattr(importer, "TEXTS_AT_ONCE", 7)
    monkeypatch.setattr(importer, "TITLES_PER_JOB", 3)  # many jobs in flight, answered in order
    with parallel.Workers(2) as workers:
        on_workers = [sorted(n.id for n in group)
                      for group in duplicate_groups(notices, map_texts=importer._batches_on(workers))]
    assert on_workers == alone
    assert all([f"t{n}-a", f"t{n}-b"] in alone and [f"t{n}-c"] in alone for n in range(30))


def test_a_converted_body_travels_to_the_importer_once_inside_its_file_text(tmp_path):
    import pickle

    from sitegen.sources import default_source
    from sitegen.sources.base import read_page_file

    source = default_source()
    page = write_page(tmp_path / "p.json", make_page(make_record("x1", "关于甲的通知", "<p>" + "甲的正文。" * 400 + "</p>")))
    result = importer.convert_record(read_page_file(source, page).records[0], source)
    body = result.body_bytes()
    assert body.decode().endswith("甲的正文。\n") and result.text.endswith(body) and result.body == b""
    assert len(pickle.dumps(result)) < len(result.text) + len(body) / 2
    report = importer.ImportReport()
    [(notice, taken, text)] = importer.take_results([result], report, set())
    assert notice.id == "x1" and report.fidelity["x1"].perfect
    assert (taken, text) == (body, result.text)


def test_bodies_put_away_are_compared_as_the_utf8_they_are_kept_in(tmp_path):
    """The importer hands the comparison each put-away body as the bytes it keeps (decoded where
    compared, not decoded and encoded again on the way); a body in memory goes as it is. The
    groups are those of the bodies themselves."""
    from sitegen.dedup import duplicate_groups, near_identical_pairs
    from sitegen.notice import Notice

    def made() -> list[Notice]:
        text = "".join(chr(0x4E00 + n * 13 % 500) for n in range(300))
        return [Notice(id="a", title="关于甲的通知", body=text), Notice(id="b", title="关于甲的通知", body=text + "（转载）"),
                Notice(id="c", title="关于甲的通知", body=text[::-1]), Notice(id="d", title="关于乙的通知", body="乙。")]

    sent: list = []

    def map_texts(function, texts):
        texts = list(texts)
        sent.extend(body for same in texts for _, body in same)
        return map(function, texts)

    alone = [sorted(n.id for n in group) for group in duplicate_groups(made())]
    with importer.Bodies(tmp_path) as bodies:
        notices = made()
        for notice in notices[1:]:
            bodies.put_away(notice, notice.body.encode())
        groups = duplicate_groups(notices, bodies.body_of, map_texts, utf8_of=bodies.utf8_of)
    assert [sorted(n.id for n in group) for group in groups] == alone == [["a", "b"], ["c"], ["d"]]
    assert [type(body) for body in sent] == [str, bytes, bytes]  # "a" was never put away
    assert near_identical_pairs([("x", "甲乙丙丁戊"), ("y", "甲乙丙丁戊".encode())]) == [("x", "y")]


def test_bodies_wait_in_a_file_each_once_and_come_back_whole(tmp_path):
    from sitegen.notice import Notice

    inside = ("正文第一段\n", "---\nid: a\n---\n\n正文第一段\n")  # the file text ends with the body
    apart = ("另一篇正文\n", "---\nid: b\nbody: missing\n---\n")
    with importer.Bodies(tmp_path) as bodies:
        notices = [Notice(id=key, title="标题") for key in ("a", "b")]
        for notice, (body, text) in zip(notices, (inside, apart)):
            bodies.put_away(notice, body.encode(), text.encode())
            assert notice.body == ""
        assert [(bodies.body_of(n), bodies.prepared_text(n).decode()) for n in notices] == [inside, apart]
        stored = bodies.file.seek(0, 2)
    assert stored == len(inside[1].encode()) + len("".join(apart).encode())  # a's body only in its text


def test_files_the_workers_write_are_those_the_importer_writes_itself(tmp_path, monkeypatch):
    """A large import's files are written by the workers, a job of a few at a time; the groups
    that must be written in order (a merge, a notice moved to another year's folder) are
    written by the importer in between: the archive is the same either way."""
    records = archive_records(30)
    moved = [make_record(f"r{n:03d}", f"关于事项{n}的通知", f"<p>第{n}号文件的正文，关于事项{n}。</p>",
                         filenumbername=f"工信部信管〔2020〕{n + 1}号", cdate="1622476800000")
             for n in (3, 17)]  # now dated 2021: a new file, and the old one removed
    twin = make_record("z-twin", "关于事项8的通知", "<p>第8号文件的正文，关于事项8。</p>")  # merges with r008
    first = write_page(tmp_path / "p1.json", make_page(*records))
    second = write_page(tmp_path / "p2.json", make_page(*moved, twin, *archive_records(45)[30:]))
    reference = import_all(tmp_path, "here", first, second)

    writers = tmp_path / "writers.txt"
    original = importer.write_atomic

    def write_atomic(path, text):
        original(path, text)
        with open(writers, "a", encoding="ascii") as log:
            log.write(f"{os.getpid()}\n")

    monkeypatch.setattr(importer, "write_atomic", write_atomic)
    monkeypatch.setenv("SITEGEN_WORKERS", "2")
    monkeypatch.setattr(importer, "WRITES_ON_WORKERS", 0)
    monkeypatch.setattr(importer, "FILES_PER_JOB", 4)
    content = import_all(tmp_path, "workers", first, second)
    assert files(content) == files(reference)
    assert len(files(content)) == 45  # 46 notices: r008 and its twin are one file
    assert str(os.getpid()) not in writers.read_text(encoding="ascii").split()[:4]  # a job of 4
    assert str(os.getpid()) in writers.read_text(encoding="ascii").split()  # the ordered ones


def test_a_write_that_fails_on_a_worker_stops_the_import_with_its_reason_and_no_index(tmp_path, monkeypatch):
    monkeypatch.setenv("SITEGEN_WORKERS", "2")
    monkeypatch.setattr(importer, "WRITES_ON_WORKERS", 0)
    monkeypatch.setattr(importer, "FILES_PER_JOB", 3)
    records = [make_record(f"b{n}", f"关于乙{n}的通知", f"<p>乙{n}。</p>", cdate="1622476800000")
               for n in range(10)]  # 2021
    records.append(make_record("a", "关于甲的通知", "<p>甲。</p>"))  # 2020, sorted after the b's
    _a_failed_write_stops_with_no_index_and_the_next_import_repairs(tmp_path, records, NotADirectoryError)


def _a_failed_write_stops_with_no_index_and_the_next_import_repairs(tmp_path, records, error) -> None:
    """A file where 2020's folder goes makes the write of the 2020 notice fail."""
    page = write_page(tmp_path / "p.json", make_page(*records))
    content = tmp_path / "content"
    content.mkdir()
    (content / "2020").write_text("a file where the year's folder goes", encoding="utf-8")
    with pytest.raises(error):
        importer.import_pages([page], content)
    assert not (tmp_path / ".sitegen-cache" / INDEX_NAME).exists()
    (content / "2020").unlink()
    importer.import_pages([page], content)
    assert files(content) == files(import_all(tmp_path, "reference", page))


def test_a_shared_page_one_worker_cannot_read_is_reported_as_unreadable_and_nothing_else(tmp_path, monkeypatch):
    """A page shared by the workers is read by each of them: if it changes between two reads
    and one part fails, the page is reported with that part's reason, as a page read once is."""
    page = write_page(tmp_path / "pages" / "p.json", make_page(*archive_records(10)))
    monkeypatch.setenv("SITEGEN_WORKERS", "2")
    monkeypatch.setattr(importer, "POOL_BYTES", 0)
    monkeypatch.setattr(importer, "convert_page", _second_part_fails)
    report = importer.import_pages([page], tmp_path / "content")
    assert report.errors == [f"{page}: {page}: cut short while read"]
    assert report.created == []


_CONVERT_PAGE = importer.convert_page


def _second_part_fails(page, source, part=0, parts=1):  # (module level: the workers take it by name)
    return f"{page}: cut short while read" if part == 1 else _CONVERT_PAGE(page, source, part, parts)
