"""The search index on disk: shards kept whole through kills, stale leftovers cleaned, tokens."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sitegen.config import load_config
from sitegen.content import notice_text, read_notice
from sitegen.notice import Notice
from sitegen.search import pagefind, words
from sitegen.search.tokens import normalize, tokens
from sitegen.search.words import read_bucket
from sitegen.site.build import build_site

from .samples import REPO


def _archive(root: Path, years=(2019, 2020, 2021)) -> Path:
    for year in years:
        folder = root / "content" / str(year)
        folder.mkdir(parents=True, exist_ok=True)
        for day in range(1, 3):
            notice = Notice(id=f"n{year}d{day}", title=f"{year}年关于数据安全的通知{day}", column="通知",
                            body=f"第{day}号正文，各省、自治区涉及个人信息保护。\n", date=dt.date(year, 3, day),
                            file_number=f"工信部信管〔{year}〕{day}号")
            (folder / f"n{year}d{day}.md").write_text(notice_text(notice), encoding="utf-8")
    return root


def _config(project: Path):
    return load_config(project, theme=str(REPO / "themes" / "default"))


def _data(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8").split("]=", 1)[1].rstrip(";\n"))


def _catalog(site: Path) -> dict:
    return _data(site / "pagefind" / "catalog.js")


def _search_files(site: Path) -> dict[str, bytes]:
    root = site / "pagefind"
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def _assert_catalog_whole(site: Path) -> None:
    """Every file the catalog points at is there: search works."""
    catalog = _catalog(site)
    lookup = _data(site / "pagefind" / catalog["lookup"])
    packs = site / "pagefind" / "shards" / lookup["words"]["folder"]
    assert sorted(p.name for p in packs.iterdir()) == sorted([*words.PACKS, words.LENGTHS])
    for family in ("", "c"):
        assert all(words.read_bucket(packs, family, n) is not None for n in range(lookup["words"]["count"]))
    for shard in catalog["shards"]:
        folder = site / "pagefind" / "shards" / shard["folder"]
        assert len(list((folder / "docs").iterdir())) == shard["count"]


@pytest.mark.parametrize("step", [(pagefind, "_link_or_copy"), (words, "_write")], ids=["shard", "words"])
def test_a_kill_while_search_files_are_copied_leaves_search_whole_and_the_next_build_repairs(
        tmp_path, monkeypatch, step):
    module, name = step
    monkeypatch.setattr(pagefind, "SHARD_SIZE", 2)
    monkeypatch.setattr(words, "BYTES_PER_BUCKET", 500)  # words in several files
    project = _archive(tmp_path / "p")
    build_site(_config(project), project)
    site = project / "public"
    before = _catalog(site)
    edited = project / "content" / "2021" / "n2021d1.md"
    edited.write_text(edited.read_text(encoding="utf-8").replace("第1号正文", "第1号正文（修订）"), encoding="utf-8")

    written = 0
    real = getattr(module, name)

    def killed_midway(*args):
        nonlocal written
        written += 1
        if written == 2:
            raise KeyboardInterrupt  # as a kill would stop it: between two files
        return real(*args)

    monkeypatch.setattr(module, name, killed_midway)
    with pytest.raises(KeyboardInterrupt):
        build_site(_config(project), project)
    monkeypatch.setattr(module, name, real)
    # The catalog still names the old shards, and they are all there.
    assert _catalog(site) == before
    _assert_catalog_whole(site)

    build_site(_config(project), project)
    _assert_catalog_whole(site)
    assert not [p for p in (site / "pagefind" / "shards").iterdir() if p.name.startswith(".")]
    cold = _archive(tmp_path / "cold")
    (cold / "content" / "2021" / "n2021d1.md").write_bytes(edited.read_bytes())
    build_site(_config(cold), cold, use_cache=False)
    assert _search_files(site) == _search_files(cold / "public")


def test_a_cached_shard_missing_a_file_is_indexed_again(tmp_path, monkeypatch):
    monkeypatch.setattr(pagefind, "SHARD_SIZE", 2)
    project = _archive(tmp_path / "p")
    build_site(_config(project), project)
    cache = project / ".sitegen-cache" / "search"
    broken = next(p for p in sorted(cache.iterdir()) if p.name.startswith("2020-"))
    next((broken / "docs").iterdir()).unlink()  # as if killed while it was written
    (cache / ".2020-leftover").mkdir()  # a temporary folder a killed build left
    shutil_site = project / "public"
    stale = shutil_site / "pagefind" / "shards" / ".2021-leftover"
    stale.mkdir()
    report = build_site(_config(project), project)
    assert report.reindexed == ["2020"]
    assert pagefind.is_complete(cache / broken.name)
    assert not (cache / ".2020-leftover").exists() and not stale.exists()


SLEEPER = ("from sitegen.search.pagefind import spawn; p = spawn(['sleep', '60']); print(p.pid, flush=True);"
           " p.wait()")


def test_the_indexer_dies_with_the_build(tmp_path):
    """A build killed with -9 leaves no Pagefind process writing on (PR_SET_PDEATHSIG)."""
    if sys.platform != "linux" or not shutil.which("setpriv"):
        pytest.skip("needs Linux's setpriv (util-linux)")
    child = subprocess.Popen(
        [sys.executable, "-c", SLEEPER], stdout=subprocess.PIPE, text=True)
    grandchild = int(child.stdout.readline())
    # setpriv arms the parent-death signal just before it becomes the program: wait for that
    # (a kill in the microseconds before it is a window no wrapper can close).
    for _ in range(100):
        if Path(f"/proc/{grandchild}/cmdline").read_bytes().startswith(b"sleep"):
            break
        time.sleep(0.05)
    child.send_signal(signal.SIGKILL)
    child.wait()
    for _ in range(50):
        try:
            state = Path(f"/proc/{grandchild}/stat").read_text().split()[2]
        except FileNotFoundError:
            return
        if state == "Z":
            return
        time.sleep(0.1)
    os.kill(grandchild, signal.SIGKILL)
    pytest.fail("the indexer outlived the build")


def test_tokens_make_every_substring_findable_as_written():
    text = "各省、自治区，工信部信管〔2020〕81号 5G网络"
    spelt = tokens(text)
    # One token per character, and one between the two segments.
    assert len(spelt) == len(normalize(text).replace(" ", "")) + 1
    assert all(token.isalnum() and token == token.lower() for token in spelt)
    # Bracket variants of file numbers are one; full-width letters are ASCII.
    assert tokens("[2020]") == tokens("〔2020〕") == tokens("（2020）") == tokens("【2020】")
    assert tokens("ＡＰＰ") == tokens("app")
    assert tokens("省、") != tokens("省，")  # punctuation is kept as written


def test_files_cached_for_good_never_change_under_their_name(tmp_path, monkeypatch):
    """netlify.toml's immutable rules cover only names whose content never changes."""
    import tomllib

    monkeypatch.setattr(pagefind, "SHARD_SIZE", 2)
    rules = tomllib.loads((REPO / "netlify.toml").read_text(encoding="utf-8"))["headers"]
    immutable = [r["for"].rstrip("*") for r in rules if "immutable" in r["values"].get("Cache-Control", "")]
    assert immutable == ["/pagefind/shards/"]
    project = _archive(tmp_path / "p")
    site = project / "public"

    def cached_for_good() -> dict[str, bytes]:
        files = {"/" + p.relative_to(site).as_posix(): p.read_bytes() for p in site.rglob("*") if p.is_file()}
        return {name: data for name, data in files.items() if name.startswith(tuple(immutable))}

    build_site(_config(project), project)
    before = cached_for_good()
    edited = project / "content" / "2021" / "n2021d1.md"
    edited.write_text(edited.read_text(encoding="utf-8").replace("第1号正文", "第1号正文（修订）"), encoding="utf-8")
    build_site(_config(project), project)
    after = cached_for_good()
    assert before.keys() != after.keys()  # the edited shard is a new folder
    assert all(before[name] == after[name] for name in before.keys() & after.keys())


def _reference_tokens(text: str) -> list[str]:
    """tokens.py's rules written plainly, character by character."""
    from sitegen.search.tokens import GAP, SEPARATOR, segments, spell

    pairs = []
    for n, segment in enumerate(segments(text)):
        if n:
            pairs.append(GAP)
        for i, character in enumerate(segment):
            following = spell(segment[i + 1]) if i + 1 < len(segment) else ""
            pairs.append(spell(character) + SEPARATOR + following)
    return pairs


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet="个人信息省、，。〔〕《》[]()（）【】ＡＰＰabq0 \u3000\t\nЖé😀\u0301ﬁㄱㅏＥ㈜", max_size=30))
def test_tokens_are_each_characters_pair_as_the_plain_rules_say(text):
    from sitegen.search.tokens import SEPARATOR, single_of, spell

    assert tokens(text) == _reference_tokens(text)
    # Each token names the character it starts, under which single characters are counted.
    starts = [single_of(token) for token in tokens(text)]
    assert [s for s in starts if s] == [SEPARATOR + spell(c) for c in normalize(text) if not c.isspace()]


@settings(max_examples=600, deadline=None)
@given(st.text(max_size=40) | st.text(alphabet="ＥＡｅ\u0301\u0308ㄱㅏㅐ가ﬁ①㈜，（）〔〕省 \u3000", max_size=20))
def test_normalize_is_nfkc_in_lower_case_with_one_shape_of_bracket(text):
    from sitegen.search.tokens import BRACKETS

    expected = unicodedata.normalize("NFKC", text).lower()
    assert normalize(text) == "".join(BRACKETS.get(c, c) for c in expected)


def _entries(sizes_by_year: dict[int, list[int]]):
    from sitegen.search.documents import SearchEntry

    return [SearchEntry(Notice(id=f"n{year}-{i}", title="t", date=dt.date(year, 1, 1 + i % 28)), f"/{year}/{i}", {}, size)
            for year, sizes in sizes_by_year.items() for i, size in enumerate(sizes)]


def test_shards_join_whole_years_and_cut_a_big_year_into_parts_within_the_limits(monkeypatch):
    monkeypatch.setattr(pagefind, "SHARD_BYTES", 1000)
    monkeypatch.setattr(pagefind, "SHARD_SIZE", 50)
    monkeypatch.setattr(pagefind, "CUT", 4)
    entries = _entries({2024: [100] * 3, 2023: [100] * 4, 2022: [30] * 200, 2021: [400] * 2, 2020: [10]})
    shards = pagefind.plan_shards(entries, {})
    names = [shard.name for shard in shards]
    assert names[0] == "2023-2024" and names[-1] == "2020-2021"
    assert all(name.startswith("2022.") for name in names[1:-1]) and len(names) > 5
    # Every notice once, in catalog order; every shard within both limits.
    assert [e for shard in shards for e in shard.entries] == pagefind.order(entries)
    assert all(len(s.entries) <= 50 and sum(e.size for e in s.entries) <= 1000 for s in shards)
    # A notice edited in one part (same size, other text) leaves every other shard as it was.
    digests = {e.notice.id: "a" for e in entries}
    before = pagefind.plan_shards(entries, digests)
    digests[before[3].entries[0].notice.id] = "b"
    after = pagefind.plan_shards(entries, digests)
    assert [s.folder for s in after if s.name != before[3].name] == \
        [s.folder for s in before if s.name != before[3].name]
    assert after[3].folder != before[3].folder


def test_pagefind_counting_other_positions_than_the_tokens_written_fails_loudly(tmp_path, monkeypatch):
    real = pagefind.search_fragment

    def one_short(texts):
        fragment, length = real(texts)
        return fragment, length - 1

    monkeypatch.setattr(pagefind, "search_fragment", one_short)
    project = _archive(tmp_path / "p")
    with pytest.raises(pagefind.SearchIndexError, match="counted words other than the tokens"):
        build_site(_config(project), project)


def test_every_filter_value_number_is_spelt_by_one_character_and_read_back(tmp_path):
    """The catalog's filter columns spell a value's number as one character, surrogates skipped;
    the page reads it back (sitegen-search.js's valueNumber, run here in Node)."""
    from sitegen.search.catalog import _spell_value

    numbers = [0, 56, 57, 90, 91, 5000, 55_000, 56_000, 200_000, 1_000_000]
    spelt = [_spell_value(n) for n in numbers]
    assert all(len(c) == 1 and not 0xD800 <= ord(c) <= 0xDFFF for c in spelt)
    assert len(set(spelt)) == len(numbers) and "!" not in spelt and " " not in spelt
    engine = (REPO / "sitegen" / "search" / "sitegen-search.js").read_text(encoding="utf-8")
    body = engine[engine.index("function valueNumber"):engine.index("function prepare")]
    script = tmp_path / "read.js"
    script.write_text(body + f"console.log(JSON.stringify([...{json.dumps(''.join(spelt))}]"
                      ".map((c) => valueNumber(c.codePointAt(0)))));\n", encoding="utf-8")
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed")
    read = subprocess.run([node, str(script)], capture_output=True, text=True, check=True).stdout
    assert json.loads(read) == numbers


def test_a_single_characters_counts_are_its_occurrences_in_each_field(tmp_path, monkeypatch):
    """A term of one character is answered from counts that no token of Pagefind's holds: the
    sums of the counts of the tokens its occurrences start, exact however often it occurs."""
    from sitegen.render import render_markdown
    from sitegen.search.documents import notice_texts
    from sitegen.search.tokens import SEPARATOR, spell

    monkeypatch.setattr(pagefind, "PACK", 3)
    monkeypatch.setattr(words, "BYTES_PER_BUCKET", 500)
    project = _archive(tmp_path / "p", years=(2019, 2020, 2021, 2022))
    extra = Notice(id="many", title="省省省省省", body="省，省，省，省，省，省。\n", date=dt.date(2020, 5, 1))
    (project / "content" / "2020" / "many.md").write_text(notice_text(extra), encoding="utf-8")
    build_site(_config(project), project)
    site = project / "public" / "pagefind"
    catalog = _catalog(project / "public")
    lookup = _data(site / catalog["lookup"])
    folder = site / "shards" / lookup["words"]["folder"]
    texts = {}
    for path in (project / "content").rglob("*.md"):
        notice = read_notice(path)
        texts[notice.title] = [normalize(text) for text in notice_texts(notice, render_markdown(notice.body)).values()]
    by_shard = {s["folder"]: [_data(site / "shards" / s["folder"] / "docs" / f"{i}.js")["title"] for i in range(s["count"])]
                for s in catalog["shards"]}
    characters = {c for fields in texts.values() for text in fields for c in text if not c.isspace()}
    assert {"省", ",", "〔", "数"} <= characters
    for character in characters:
        word = SEPARATOR + spell(character)
        found = {}
        for shard, entries in read_bucket(folder, "c", words.word_bucket(word, lookup['words']['count'])):
            for entry in entries:
                if entry[0] != word:
                    continue
                groups = entry[1]
                while groups:
                    first, field, _, numbers, groups = *groups[:3], groups[3:3 + groups[2]], groups[3 + groups[2]:]
                    for notice, number in enumerate(numbers, first):
                        found.setdefault(by_shard[shard][notice], [0, 0, 0])[field] += number
        expected = {title: [text.count(character) for text in fields] for title, fields in texts.items()
                    if any(character in text for text in fields)}
        assert {t: c for t, c in found.items() if any(c)} == expected, character
    assert expected and found  # the last character was checked against something


def test_each_words_counts_are_its_positions_counted_per_notice_and_field(tmp_path, monkeypatch):
    """The counts a term of one token is answered from agree with the positions a longer term
    is found by: each position belongs to the notice whose stretch of its page holds it."""
    monkeypatch.setattr(pagefind, "PACK", 3)  # several notices in a page, as at scale
    monkeypatch.setattr(words, "BYTES_PER_BUCKET", 500)
    project = _archive(tmp_path / "p", years=(2019, 2020, 2021, 2022))
    build_site(_config(project), project)
    site = project / "public" / "pagefind"
    catalog = _catalog(project / "public")
    lookup = _data(site / catalog["lookup"])
    folder = site / "shards" / lookup["words"]["folder"]
    shards = {s["folder"]: (s, info) for s, info in zip(catalog["shards"], lookup["shards"], strict=True)}
    fields = {round(weight * 24): index for index, (_, weight) in enumerate(catalog["fields"])}
    compared = 0
    for n in range(lookup["words"]["count"]):
        counted = {(shard, entry[0]): entry[1] for shard, entries in read_bucket(folder, "c", n)
                   for entry in entries}
        for shard_folder, entries in read_bucket(folder, "", n):
            shard, info = shards[shard_folder]
            lengths = lookup["lengths"][shard["offset"]:shard["offset"] + shard["count"]]
            for word, pages, *_ in entries:
                expected: dict[int, list[int]] = {}
                page = 0
                for page_delta, locations, *_ in pages:
                    page += page_delta
                    pack = info["pages"][page] if info["pages"] else page
                    first = pack * info["pack"]
                    field, position = len(fields) - 1, 0
                    for value in locations:
                        if value < 0:
                            field, position = fields.get(-value - 1, len(fields) - 1), 0
                            continue
                        position += value
                        notice, start = first, 0
                        while start + lengths[notice] <= position:
                            start += lengths[notice]
                            notice += 1
                        expected.setdefault(notice, [0] * len(fields))[field] += 1
                groups, found = counted[(shard_folder, word)], {}
                while groups:
                    first, field, n, numbers, groups = *groups[:3], groups[3:3 + groups[2]], groups[3 + groups[2]:]
                    for notice, number in enumerate(numbers, first):
                        found.setdefault(notice, [0] * len(fields))[field] += number
                assert {k: v for k, v in found.items() if any(v)} == expected, word
                compared += 1
    assert compared > 50


def test_an_edit_takes_the_other_shards_words_from_the_packs_as_they_were(tmp_path, monkeypatch):
    """After an edit, each bucket is the previous bucket with the edited shard's piece replaced
    (three slices, not one per shard); the packs equal a full join's, and packs that are not
    what the catalog says (here, lengths changed by hand) are joined in full."""
    monkeypatch.setattr(pagefind, "SHARD_SIZE", 2)  # a shard per year
    project = _archive(tmp_path / "p")
    build_site(_config(project), project)
    spliced = []
    real = words._spliced_sources
    monkeypatch.setattr(words, "_spliced_sources", lambda *args: spliced.append(real(*args)) or spliced[-1])

    def edit_and_compare(name, old, new):
        path = project / "content" / name
        path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
        build_site(_config(project), project)
        cold = tmp_path / f"cold-{len(spliced)}"
        shutil.copytree(project / "content", cold / "content")
        build_site(_config(cold), cold, use_cache=False)
        assert _search_files(project / "public") == _search_files(cold / "public")

    edit_and_compare("2020/n2020d1.md", "第1号正文", "第1号正文（修订）")
    assert len(spliced[-1]) == 3  # the shards before, the edited one, the shards after
    packs = project / "public" / "pagefind" / "shards" / _data(
        project / "public" / "pagefind" / _catalog(project / "public")["lookup"])["words"]["folder"]
    lengths = words._unleb128((packs / words.LENGTHS).read_bytes())
    (packs / words.LENGTHS).write_bytes(words._leb128([lengths[0] + 1, lengths[1] - 1, *lengths[2:]]))
    edit_and_compare("2021/n2021d2.md", "第2号正文", "第2号正文（又改）")
    assert spliced[-1] is None
