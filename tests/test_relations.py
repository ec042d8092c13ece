"""Is this notice still in force? Relations read from the notices' own words, and the status
every notice gets from them."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path
from urllib.parse import quote

import pytest
from bs4 import BeautifulSoup
from click.testing import CliRunner

from sitegen.cli import main
from sitegen.config import load_config
from sitegen.content import notice_text
from sitegen.errors import UserError
from sitegen.notice import Notice
from sitegen.relations import (
    AMEND,
    AMENDED,
    EXPIRED,
    NO_CHANGE,
    NOT_YET,
    REPEAL,
    REPEALED,
    REPLACE,
    build_date,
    find_statements,
    parse_date,
    relate_archive,
)
from sitegen.site.build import build_site

from .samples import REPO


def acts(body: str, title: str = "工业和信息化部关于某事项的通知") -> list[tuple[str, list[str]]]:
    """(kind, [target as written]) of every act the notice states."""
    return [(s.kind, [d.text for d in s.documents]) for s in find_statements(title, body)
            if s.kind in (REPEAL, AMEND, REPLACE)]


# -- each pattern family -----------------------------------------------------------

@pytest.mark.parametrize("body, expected", [
    ("本办法自2021年1月1日起施行。《电信业务经营许可管理办法》（工业和信息化部令第5号）同时废止。",
     [(REPEAL, ["《电信业务经营许可管理办法》（工业和信息化部令第5号）"])]),
    ("《关于加强呼叫中心业务管理的通知》（工信部信管〔2015〕12号）自本办法施行之日起废止。",
     [(REPEAL, ["《关于加强呼叫中心业务管理的通知》（工信部信管〔2015〕12号）"])]),
    ("工信部信管〔2015〕12号文件即行废止。", [(REPEAL, ["工信部信管〔2015〕12号"])]),
    ("《关于A的通知》和《关于B的通知》同时废止。", [(REPEAL, ["《关于A的通知》", "《关于B的通知》"])]),
    ("《关于开展试点的通知》（工信厅科〔2016〕3号）停止执行。",
     [(REPEAL, ["《关于开展试点的通知》（工信厅科〔2016〕3号）"])]),
    ("现决定废止《关于开展某某试点工作的通知》（工信厅信管〔2012〕3号）等3件规范性文件。",
     [(REPEAL, ["《关于开展某某试点工作的通知》（工信厅信管〔2012〕3号）"])]),
    ("为适应工作需要，现将《关于A的通知》予以废止。", [(REPEAL, ["《关于A的通知》"])]),
    ("此前印发的《关于A的通知》同时作废。", [(REPEAL, ["《关于A的通知》"])]),
])
def test_repeal_sentences(body, expected):
    assert acts(body) == expected


def test_a_list_of_repealed_documents_after_its_heading():
    body = ("下列文件同时废止：\n\n1.《关于A的通知》（工信部信管〔2015〕12号）\n\n"
            "2.《关于B的通知》（工信部信管〔2016〕3号）\n\n建议有关部门适时废止《关于C的通知》。\n\n"
            "各单位要加强管理，依据《网络安全法》做好工作。")
    assert acts(body) == [(REPEAL, ["《关于A的通知》（工信部信管〔2015〕12号）"]),
                          (REPEAL, ["《关于B的通知》（工信部信管〔2016〕3号）"])]


def test_a_list_after_a_repealing_or_amending_heading_with_chinese_numbering():
    body = ("工业和信息化部决定废止下列规范性文件：\n\n（一）《关于A的通知》（工信部信管〔2015〕12号）\n\n"
            "（二）《关于B的通知》\n\n本通知自发布之日起施行。")
    assert acts(body) == [(REPEAL, ["《关于A的通知》（工信部信管〔2015〕12号）"]), (REPEAL, ["《关于B的通知》"])]
    assert acts("对下列文件的部分条款予以修改：\n\n1.《关于A的通知》\n\n2.《关于B的通知》") == [
        (AMEND, ["《关于A的通知》"]), (AMEND, ["《关于B的通知》"])]


def test_a_table_of_repealed_documents_with_titles_in_cells_of_their_own():
    body = ("以下规范性文件自本办法施行之日起废止：\n\n<table>\n"
            "<tr><td>序号</td><td>文件名称</td><td>文号</td></tr>\n"
            "<tr><td>1</td><td>关于加强A管理的通知</td><td>工信部信管〔2015〕12号</td></tr>\n"
            "<tr><td>2</td><td>关于推进B工作的意见</td><td></td></tr>\n</table>\n\n特此通知。")
    statements = [s for s in find_statements("t", body) if s.kind == REPEAL]
    assert [(d.title, d.number) for s in statements for d in s.documents] == [
        ("关于加强A管理的通知", "工信部信管〔2015〕12号"), ("关于推进B工作的意见", "")]
    assert all(s.when == "effective" for s in statements)  # from the day this notice takes effect


@pytest.mark.parametrize("body, expected", [
    ("工业和信息化部决定对《电信服务规范》（工信部令第36号）作如下修改：",
     [(AMEND, ["《电信服务规范》（工信部令第36号）"])]),
    ("对《X管理办法》部分条款予以修改。", [(AMEND, ["《X管理办法》"])]),
    ("现对《关于某某管理的通知》进行修订。", [(AMEND, ["《关于某某管理的通知》"])]),
    ("经研究，决定对《关于A的通知》予以修正。", [(AMEND, ["《关于A的通知》"])]),
    ("将《某某管理办法》第五条修改为：", [(AMEND, ["《某某管理办法》"])]),
    ("《关于A的通知》第三条、第五条同时废止。", [(AMEND, ["《关于A的通知》"])]),  # part of a document
])
def test_amendment_sentences(body, expected):
    assert acts(body) == expected


def test_an_amending_or_repealing_title():
    assert acts("正文", title="工业和信息化部关于修改《电信业务经营许可管理办法》的决定") == [
        (AMEND, ["《电信业务经营许可管理办法》"])]
    assert acts("正文", title="工业和信息化部关于废止《关于A的通知》的决定") == [(REPEAL, ["《关于A的通知》"])]


@pytest.mark.parametrize("body, expected", [
    ("本规定施行后，原《关于规范电信服务的通知》不再执行。", [(REPLACE, ["《关于规范电信服务的通知》"])]),
    ("本标准代替《通信工程建设标准》。", [(REPLACE, ["《通信工程建设标准》"])]),
])
def test_replacement_sentences(body, expected):
    assert acts(body) == expected


def test_own_effective_date_and_period_of_validity():
    statements = find_statements("t", "本办法自2020年3月1日起施行，有效期3年。")
    assert [(s.kind, s.when, s.years) for s in statements] == [
        ("effective", "2020-03-01", 0), ("validity", "", 3)]
    statements = find_statements("t", "本通知自二〇一八年一月一日起试行，有效期至2019年12月31日。")
    assert [(s.kind, s.when) for s in statements] == [("effective", "2018-01-01"), ("validity", "2019-12-31")]


@pytest.mark.parametrize("body", [
    "依据《关于废止部分规章的决定》，做好相关工作。",  # 废止 inside a quoted title
    "根据《工业和信息化部关于修改〈电信业务分类目录〉的决定》开展工作。",
    "本办法第十二条同时废止。",  # a notice repealing part of itself
    "原有的纸质备案方式不再执行。",  # 不再执行 about a practice, not a document
    "按照《电信条例》规定的备案方式不再执行。",
    "建议废止《关于A的通知》。",  # a proposal, not an act
    "现将修订后的《某某管理办法》印发给你们。",
    "电信业务经营许可证有效期为5年。",  # a licence's validity, not this notice's
    "《某某管理办法》自2021年1月1日起施行。",  # another document's date
    "各地要认真落实《关于A的通知》，不得擅自停止执行。",
    "本办法施行前发布的有关规定与本办法不一致的，以本办法为准。",
    "对《关于A的通知》执行中发现的问题，请及时反馈，我部将适时修订。",
])
def test_false_friends_state_nothing(body):
    assert [s for s in find_statements("t", body)] == []


def test_dates_in_arabic_and_chinese_numerals():
    assert parse_date("2020年3月5日") == dt.date(2020, 3, 5)
    assert parse_date("二〇二〇年十二月三十一日") == dt.date(2020, 12, 31)
    assert parse_date("2020年2月30日") is None


# -- statuses -------------------------------------------------------------------

def notice(notice_id: str, title: str, date: str, body: str = "", **fields) -> Notice:
    return Notice(id=notice_id, title=title, date=dt.date.fromisoformat(date), body=body, **fields)


def relate(notices: list[Notice], today: str):
    statements = {n.id: find_statements(n.title, n.body) for n in notices}
    return relate_archive(notices, statements, dt.date.fromisoformat(today))


def test_statuses_derived_from_the_archive():
    old = notice("old", "关于加强呼叫中心业务管理的通知", "2015-03-01", file_number="工信部信管〔2015〕12号")
    changed = notice("changed", "电信服务规范", "2016-01-01", file_number="工业和信息化部令第36号")
    later = notice("later", "关于试点的通知", "2020-06-01", body="本通知自2030年1月1日起施行。")
    short = notice("short", "关于临时措施的通知", "2018-01-01", body="本通知自2018年1月1日起施行，有效期两年。")
    plain = notice("plain", "关于其他事项的通知", "2019-01-01")
    acting = notice("new", "呼叫中心管理办法", "2020-01-01", body=(
        "本办法自2020年2月1日起施行。《关于加强呼叫中心业务管理的通知》（工信部信管〔2015〕12号）同时废止。\n\n"
        "对《电信服务规范》（工业和信息化部令第36号）作如下修改：\n\n《关于C的通知》同时废止。"))
    relations = relate([old, changed, later, short, plain, acting], "2021-01-01")
    status = {key: value.status for key, value in relations.validity.items()}
    assert status == {"old": REPEALED, "changed": AMENDED, "later": NOT_YET, "short": EXPIRED,
                      "plain": NO_CHANGE, "new": NO_CHANGE}
    repeal = relations.validity["old"].by
    assert (repeal.source, repeal.date) == ("new", dt.date(2020, 2, 1))  # the day it took effect
    assert "同时废止" in repeal.sentence
    assert relations.validity["short"].until == dt.date(2019, 12, 31)
    # What the archive does not hold is kept as text, never linked, and reported as a doubt.
    unresolved = [r for r in relations.acts["new"] if r.target is None]
    assert [r.text for r in unresolved] == ["《关于C的通知》"]
    assert [d.reason for d in relations.doubts] == ["《关于C的通知》: not in the archive"]


def test_a_repeal_that_takes_effect_later_does_not_repeal_yet():
    old = notice("old", "关于A的通知", "2015-03-01")
    acting = notice("new", "关于B的通知", "2020-01-01", body="《关于A的通知》自2022年1月1日起废止。")
    assert relate([old, acting], "2021-01-01").validity["old"].status == NO_CHANGE
    assert relate([old, acting], "2022-01-01").validity["old"].status == REPEALED


def test_a_title_two_notices_share_is_a_doubt_not_a_guess():
    one = notice("a", "关于开展试点的通知", "2015-01-01")
    two = notice("b", "关于开展试点的通知", "2016-01-01")
    acting = notice("c", "关于D的通知", "2020-01-01", body="《关于开展试点的通知》同时废止。")
    relations = relate([one, two, acting], "2021-01-01")
    assert relations.validity["a"].status == relations.validity["b"].status == NO_CHANGE
    assert [d.reason for d in relations.doubts] == ["《关于开展试点的通知》: matches 2 notices"]


def test_a_new_version_of_the_same_title_repeals_the_old_one_not_itself():
    old = notice("old", "电信服务质量监督管理办法", "2014-01-01")
    new = notice("new", "电信服务质量监督管理办法", "2021-01-01",
                 body="本办法自2021年2月1日起施行。2014年发布的《电信服务质量监督管理办法》同时废止。")
    relations = relate([old, new], "2021-03-01")
    assert relations.validity["old"].status == REPEALED
    assert relations.validity["new"].status == NO_CHANGE


def test_a_notice_naming_itself_does_not_act_on_itself():
    own = notice("own", "关于A的通知", "2020-01-01", file_number="工信部信管〔2020〕1号",
                 body="《关于A的通知》（工信部信管〔2020〕1号）第三条自2020年6月1日起废止。")
    relations = relate([own], "2021-01-01")
    assert relations.validity["own"].status == NO_CHANGE and relations.acts == {} and relations.doubts == []


def test_a_hand_set_status_overrides_and_says_so():
    old = notice("old", "关于A的通知", "2015-03-01", status="现行有效")
    acting = notice("new", "关于B的通知", "2020-01-01", body="《关于A的通知》同时废止。")
    validity = relate([old, acting], "2021-01-01").validity["old"]
    assert (validity.status, validity.hand_set, validity.derived) == ("现行有效", True, REPEALED)


def test_build_date_comes_from_source_date_epoch_or_the_newest_notice():
    notices = [notice("a", "甲", "2019-05-01"), notice("b", "乙", "2020-07-01")]
    assert build_date(notices, {}) == dt.date(2020, 7, 1)
    assert build_date(notices, {"SOURCE_DATE_EPOCH": "1609430400"}) == dt.date(2021, 1, 1)  # Beijing time
    with pytest.raises(UserError, match="SOURCE_DATE_EPOCH"):
        build_date(notices, {"SOURCE_DATE_EPOCH": "yesterday"})


def test_a_bad_source_date_epoch_is_one_line_not_a_traceback(tmp_path, monkeypatch):
    project = write_archive(tmp_path, archive_notices())
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "yesterday")
    result = CliRunner().invoke(main, ["stats", "--content", str(project / "content")])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert result.output.strip().splitlines()[-1] == "Error: SOURCE_DATE_EPOCH: not a number of seconds: 'yesterday'"


# -- the site -----------------------------------------------------------------

def write_archive(root: Path, notices: list[Notice]) -> Path:
    for item in notices:
        path = root / "content" / str(item.date.year) / f"{item.id}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(notice_text(item), encoding="utf-8")
    return root


REPEALING_BODY = ("本办法自2020年2月1日起施行。《关于加强呼叫中心业务管理的通知》（工信部信管〔2015〕12号）同时废止。"
                  "\n\n《关于不在本库的通知》同时废止。")


def archive_notices(body: str = REPEALING_BODY) -> list[Notice]:
    return [
        notice("old", "关于加强呼叫中心业务管理的通知", "2015-03-01", "旧的规定。", file_number="工信部信管〔2015〕12号",
               column="通知"),
        notice("new", "呼叫中心管理办法", "2020-01-01", body, file_number="工业和信息化部令第60号", column="通知"),
        notice("newest", "关于其他事项的通知", "2021-01-01", "其他。", column="通告"),  # sets the build date
    ]


def build(project: Path, **options) -> Path:
    build_site(load_config(project, theme=str(REPO / "themes" / "default")), project, search=False, **options)
    return project / "public"


def page(site: Path, notice_id: str) -> BeautifulSoup:
    return BeautifulSoup((site / "notices" / f"{notice_id}.html").read_text(encoding="utf-8"), "html.parser")


def test_a_repealed_notice_shows_a_banner_linking_the_repealing_notice(tmp_path):
    site = build(write_archive(tmp_path, archive_notices()))
    banner = page(site, "old").select_one(".status-banner")
    assert "已废止" in banner.get_text()
    link = banner.select_one("a.repealed-by")
    assert link["href"] == "../notices/new.html" and (site / "notices" / "new.html").is_file()
    assert "同时废止" in banner.blockquote.get_text()
    new = page(site, "new")
    assert "未见废止或修改" in new.select_one(".status-line").get_text()
    lists = {section.h2.get_text(): section for section in new.select("section.relations")}
    assert lists["废止了"].select_one("a")["href"] == "../notices/old.html"
    # The document the archive does not hold is listed as text, with its sentence, not linked.
    unresolved = lists["废止了"].select_one(".unresolved")
    assert unresolved.get_text() == "《关于不在本库的通知》" and unresolved.find_parent("a") is None
    assert "被废止" in {s.h2.get_text() for s in page(site, "old").select("section.relations")}
    column = next(p for p in (site / "column").glob("*/index.html") if "notices/old.html" in p.read_text("utf-8"))
    listed = BeautifulSoup(column.read_text(encoding="utf-8"), "html.parser")
    assert [s.get_text() for s in listed.select(".notice-list .status")] == [NO_CHANGE, REPEALED]
    # Each status of the list's notices filters the search page on this column and that status.
    links = {a.get_text(): a["href"] for a in listed.select(".status-filter a")}
    assert links == {f"{NO_CHANGE}（1）": "../../search.html?column=%E9%80%9A%E7%9F%A5&status=" + quote(NO_CHANGE),
                     f"{REPEALED}（1）": "../../search.html?column=%E9%80%9A%E7%9F%A5&status=" + quote(REPEALED)}
    year = BeautifulSoup((site / "year" / "2015" / "index.html").read_text(encoding="utf-8"), "html.parser")
    assert year.select_one(".status-filter a")["href"].startswith("../../search.html?from=2015-01-01&to=2015-12-31&")


def test_status_and_relations_in_the_catalogs_and_notice_json(tmp_path):
    site = build(write_archive(tmp_path, archive_notices()))
    catalog = {row["id"]: row for row in json.loads((site / "catalog.json").read_text(encoding="utf-8"))}
    assert catalog["old"]["status"] == REPEALED
    assert catalog["old"]["relations"][0] | {"sentence": ""} == {
        "relation": "被废止", "kind": "repeal", "id": "new", "url": "notices/new.html", "text": "",
        "sentence": "", "date": "2020-02-01"}
    per_notice = json.loads((site / "notices" / "new.json").read_text(encoding="utf-8"))
    assert per_notice["effective"] == "2020-02-01"
    assert [r["text"] for r in per_notice["relations"] if not r["id"]] == ["《关于不在本库的通知》"]
    csv_text = (site / "catalog.csv").read_text(encoding="utf-8")
    assert csv_text.splitlines()[0].endswith("url,status_set_by_hand,status_derived,effective,valid_until,relations")


def test_a_hand_set_status_is_shown_as_such_and_a_wrong_one_is_an_error(tmp_path):
    notices = archive_notices()
    notices[0].status = "现行有效"
    site = build(write_archive(tmp_path / "a", notices))
    line = page(site, "old").select_one(".status-line").get_text()
    assert "现行有效" in line and "人工标注" in line and "已废止" in line
    notices[0].status = "大概有效"
    project = write_archive(tmp_path / "b", notices)
    result = CliRunner().invoke(main, ["check", "--content", str(project / "content")])
    assert result.exit_code == 1 and "old.md:" in result.output and "status: '大概有效' is not one of" in result.output


def test_a_warm_build_re_derives_status_when_the_repealing_notice_changes(tmp_path):
    project = write_archive(tmp_path / "warm", archive_notices())
    site = build(project)
    assert page(site, "old").select_one(".status-banner") is not None
    # The repeal is taken back: only the acting notice's file changes, the old notice's page must too.
    write_archive(project, archive_notices(body="本办法自2020年2月1日起施行。"))
    build(project)
    assert page(site, "old").select_one(".status-banner") is None
    cold = write_archive(tmp_path / "cold", archive_notices(body="本办法自2020年2月1日起施行。"))
    cold_site = build(cold, use_cache=False)
    for path in (p for p in site.rglob("*") if p.is_file()):
        assert path.read_bytes() == (cold_site / path.relative_to(site)).read_bytes(), path


def test_the_bundled_archive_builds_with_every_notice_unchanged(tmp_path):
    shutil.copytree(REPO / "content", tmp_path / "content")
    site = build(tmp_path)
    catalog = json.loads((site / "catalog.json").read_text(encoding="utf-8"))
    assert {row["status"] for row in catalog} <= {NO_CHANGE, NOT_YET, EXPIRED, AMENDED}


def test_stats_count_each_status(tmp_path):
    project = write_archive(tmp_path, archive_notices())
    result = CliRunner().invoke(main, ["stats", "--content", str(project / "content")])
    assert result.exit_code == 0, result.output
    lines = result.output.split("时效性 status\n", 1)[1].splitlines()
    assert [line.split() for line in lines[:2]] == [[REPEALED, "1"], [AMENDED, "0"]]
    assert [line.split() for line in lines if NO_CHANGE in line] == [[NO_CHANGE, "2"]]


def test_check_relations_reports_doubts_as_file_line_reason(tmp_path):
    notices = archive_notices() + [
        notice("twin1", "关于开展试点的通知", "2016-01-01"), notice("twin2", "关于开展试点的通知", "2017-01-01"),
        notice("vague", "关于清理文件的通知", "2019-06-01", "清理结果如下。\n\n《关于开展试点的通知》同时废止。"),
    ]
    project = write_archive(tmp_path, notices)
    result = CliRunner().invoke(main, ["check", "--relations", "--content", str(project / "content")])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    new_file = project / "content" / "2020" / "new.md"
    line = next(n for n, text in enumerate(new_file.read_text("utf-8").splitlines(), 1) if "不在本库" in text)
    assert f"{new_file}:{line}: 《关于不在本库的通知》: not in the archive" in lines
    assert any(text.endswith("vague.md:" + str(len(notice_text(notices[-1]).splitlines())) +
                             ": 《关于开展试点的通知》: matches 2 notices") for text in lines)
    assert lines[-1].endswith("every notice file is valid; 2 relations in doubt")


def test_hostile_text_is_read_in_bounded_time():
    import time

    started = time.perf_counter()
    find_statements("t", "、".join(["《关于A的通知》"] * 3000) + "同时废止。\n" + "《" * 3000 + "废止" + "》" * 3000)
    assert time.perf_counter() - started < 10  # quadratic matching took minutes
