"""Reading search-API pages into notices."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from sitegen.dates import DateError, beijing_date
from sitegen.importer import converted
from sitegen.sources.base import PageError, RecordError, clean_text, read_page_file
from sitegen.sources.miit import MiitSource

from .samples import SAMPLE_PAGE, make_page, make_record, write_page

MIIT = MiitSource()


def read_page(path):
    return read_page_file(MIIT, path).records


def to_notice(raw, origin=None):
    """A record as the importer makes it: the source's draft, its body converted."""
    return converted((MiitSource(origin) if origin else MIIT).draft(raw))[0]


def test_dates_are_beijing_calendar_days():
    assert beijing_date("1608048000000") == dt.date(2020, 12, 16)  # 2020-12-15T16:00Z
    assert beijing_date(1607929721670) == dt.date(2020, 12, 14)


@pytest.mark.parametrize("unknown", ["", "0", 0, None, "  "])
def test_unknown_dates_are_none_never_1970(unknown):
    assert beijing_date(unknown) is None


def test_garbage_dates_are_an_error():
    with pytest.raises(DateError):
        beijing_date("yesterday")


def test_search_highlighting_is_stripped_from_titles():
    assert clean_text("关于<em>个</em><em>人</em>信息&amp;数据的通知 ") == "关于个人信息&数据的通知"


def test_sample_page_has_ten_records():
    records = read_page(SAMPLE_PAGE)
    assert len(records) == 10
    assert records[0].id == "bfb984e6051a4952a2a42703354581d5"


def test_result_without_group_data_is_read_from_its_own_data(tmp_path):
    entry = make_record("abc123", "通知", "<p>正文</p>")
    page = make_page()
    page["data"]["searchResult"]["dataResults"] = [{"pkValue": "abc123", "data": entry["data"]}]
    records = read_page(write_page(tmp_path / "p.json", page))
    assert [r.id for r in records] == ["abc123"]


@pytest.mark.parametrize("content, reason", [
    ('{"success": false, "code": "500", "message": "系统繁忙"}', "failure: 系统繁忙"),
    ('{"success": true, "code": "403", "message": "denied"}', "code 403"),
    ('{"success": true, "code": "200", "data": {"searchRes', "not valid JSON"),
    ("", "empty file"),
    ("[1, 2]", "not a search-API page"),
    ('{"success": true, "code": "200", "data": {}}', "no data.searchResult.dataResults"),
])
def test_bad_pages_raise_one_clear_error(tmp_path, content, reason):
    path = tmp_path / "bad.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(PageError, match=reason):
        read_page(path)


def test_record_fields_map_to_the_front_matter_contract(sample_page):
    records = read_page(SAMPLE_PAGE)
    notice = to_notice(records[0])
    assert notice.title == "工业和信息化部关于电信服务质量的通告（2020年第4号）"
    assert notice.file_number == "工信部信管函〔2020〕342号"
    assert notice.issuer == "工业和信息化部"
    assert notice.department == "信息通信管理局"
    assert notice.written == dt.date(2020, 12, 14)
    assert notice.date == dt.date(2020, 12, 16)
    assert notice.column == "通告" and notice.theme == "信息通信管理" and notice.doc_type == "通告"
    assert notice.index_code == "100000000/1607929721670-00005"
    assert notice.source_url == (
        "https://www.miit.gov.cn/zwgk/zcwj/wjfb/tg/art/2020/art_bfb984e6051a4952a2a42703354581d5.html")
    assert len(notice.attachments) == 2


def test_origin_is_configurable():
    records = read_page(SAMPLE_PAGE)
    notice = to_notice(records[0], origin="http://127.0.0.1:8000")
    assert notice.source_url.startswith("http://127.0.0.1:8000/zwgk/")
    assert all(a.url.startswith("http://127.0.0.1:8000/") for a in notice.attachments)


def test_title_only_in_title_text_with_highlighting(tmp_path):
    entry = make_record("t1", "", "<p>正文</p>", title_text="关于<em>数据</em>安全的通知")
    (raw,) = read_page(write_page(tmp_path / "p.json", make_page(entry)))
    assert to_notice(raw).title == "关于数据安全的通知"


@pytest.mark.parametrize("infoextends, reason", [
    # None (no infoextends at all) is a record without a body: tests/test_bodiless.py
    ("{not json", "not valid JSON"),
    (json.dumps({"infoContent": "[{\"fieldName\": \"other\"}]"}), "no field named content"),
    (json.dumps({"infoContent": "{}"}), "not a list"),
])
def test_broken_body_is_an_error_for_that_record(tmp_path, infoextends, reason):
    entry = make_record("r1", "通知", "<p>x</p>")
    entry["data"]["infoextends"] = infoextends
    (raw,) = read_page(write_page(tmp_path / "p.json", make_page(entry)))
    with pytest.raises(RecordError, match=reason):
        to_notice(raw)


def test_empty_and_zero_metadata_are_left_out(tmp_path):
    entry = make_record("r2", "通知", "<p>x</p>", createdate="0", filenumbername="", cdate="")
    entry["data"]["deploytime"] = None
    (raw,) = read_page(write_page(tmp_path / "p.json", make_page(entry)))
    notice = to_notice(raw)
    assert notice.written is None and notice.date is None and notice.file_number == ""


DEEP = 100_000


def test_a_record_nested_100000_levels_deep_is_one_error_and_the_rest_imports(tmp_path):
    from sitegen.importer import import_pages

    deep = make_record("deep", "太深的记录", "<p>x</p>")
    deep["data"]["infoextends"] = "[" * DEEP + "]" * DEEP
    page = make_page(make_record("a1", "第一个通知", "<p>甲</p>"), deep, make_record("a2", "第二个通知", "<p>乙</p>"))
    write_page(tmp_path / "raw" / "p1.json", page)
    report = import_pages([tmp_path / "raw"], tmp_path / "content")
    assert sorted(report.created) == ["a1", "a2"]
    assert len(report.errors) == 1 and "record deep" in report.errors[0]
    assert "nested too deeply" in report.errors[0]


def test_a_page_nested_100000_levels_deep_is_one_error_and_other_pages_import(tmp_path):
    from sitegen.importer import import_pages

    (tmp_path / "raw").mkdir()
    (tmp_path / "raw" / "p1.json").write_text('{"data": ' + "[" * DEEP + "]" * DEEP + "}", encoding="utf-8")
    write_page(tmp_path / "raw" / "p2.json", make_page(make_record("b1", "通知", "<p>丙</p>")))
    report = import_pages([tmp_path / "raw"], tmp_path / "content")
    assert report.created == ["b1"]
    assert report.errors == [f"{tmp_path / 'raw' / 'p1.json'}: JSON nested too deeply to read"]


# -- a second source behind the same boundary: gov.cn's policy library ----------------------
# The fixture follows the shape public client code documents for sousuo.www.gov.cn/search-gov/data
# (searchVO.catMap.<library>.listVO); it was not checked against the live API.

GOVCN_PAGE = SAMPLE_PAGE.with_name("govcn-search-page1.json")


def test_govcn_pages_read_into_records_with_the_total_of_every_library():
    from sitegen.sources.govcn import GovCnSource

    page = GovCnSource().read_page(GOVCN_PAGE.read_bytes(), str(GOVCN_PAGE))
    assert [r.id for r in page.records] == ["govcn-6924392", "govcn-6924000", "govcn-a1b2c3"]
    assert page.total == 3


def test_govcn_records_map_to_the_same_front_matter_contract():
    from sitegen.sources.govcn import GovCnSource

    source = GovCnSource()
    first, second, third = read_page_file(source, GOVCN_PAGE).records
    notice = converted(source.draft(first))[0]
    assert notice.title == "国务院关于推进农村客运的通知"
    assert (notice.file_number, notice.issuer, notice.column) == ("国发〔2024〕1号", "国务院", "国务院文件")
    assert notice.date == dt.date(2024, 1, 5) and notice.written == dt.date(2024, 1, 2)
    assert notice.theme == "交通运输\\公路" and notice.index_code == "000014349/2024-00001"
    assert "为推进农村客运车辆代运邮件快件" in notice.body
    # Relative links resolve against the notice's own page, as with MIIT.
    assert [a.url for a in notice.attachments] == ["https://www.gov.cn/zhengce/202401/P0202401.pdf"]
    # A day written out in Chinese, a relative page address, and only a summary for a body.
    draft = source.draft(second)
    assert draft.notice.date == dt.date(2023, 10, 25) and draft.notice.written is None
    assert draft.notice.source_url == "https://www.gov.cn/zhengce/content/202310/content_6911527.htm"
    assert any("only the search summary" in w for w in draft.warnings)
    assert "<td>申诉率</td>" in converted(source.draft(third))[0].body  # tables as the converter writes them


def test_govcn_pages_import_like_miit_pages(tmp_path):
    from sitegen.importer import import_pages
    from sitegen.sources.govcn import GovCnSource

    report = import_pages([GOVCN_PAGE], tmp_path / "content", GovCnSource())
    assert report.errors == [] and len(report.created) == 3
    assert (tmp_path / "content" / "2024" / "govcn-6924392.md").is_file()


def test_govcn_asks_for_its_own_request_format():
    from urllib.parse import parse_qs, urlsplit

    from sitegen.sources.base import Query
    from sitegen.sources.govcn import GovCnSource

    url = GovCnSource().page_url(Query("数据", dt.date(2020, 1, 1), dt.date(2020, 12, 31), 20,
                                       {"department": "国务院"}), 3)
    parts = urlsplit(url)
    params = {k: v[0] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
    assert parts.netloc == "sousuo.www.gov.cn" and parts.path == "/search-gov/data"
    assert (params["q"], params["p"], params["n"], params["puborg"]) == ("数据", "3", "20", "国务院")
    assert (params["timetype"], params["mintime"], params["maxtime"]) == ("timezd", "2020-01-01", "2020-12-31")
    with pytest.raises(ValueError, match="no type filter"):
        GovCnSource().page_url(Query(filters={"type": "通知"}), 1)


@pytest.mark.parametrize("content, reason", [
    ('{"code": 500, "msg": "系统繁忙"}', "code 500: 系统繁忙"),
    ('{"code": 200}', "no searchVO"),
    ('{"code": 200, "searchVO": {}}', "no searchVO.catMap or searchVO.listVO"),
])
def test_bad_govcn_pages_raise_one_clear_error(content, reason):
    from sitegen.sources.govcn import GovCnSource

    with pytest.raises(PageError, match=reason):
        GovCnSource().read_page(content.encode(), "p.json")


def test_a_govcn_date_that_is_no_date_is_a_warning_not_1970():
    from sitegen.sources.base import RawRecord
    from sitegen.sources.govcn import GovCnSource

    draft = GovCnSource().draft(RawRecord("govcn-1", {"title": "通知", "content": "<p>x</p>",
                                                      "pubtime": 0, "pubtimeStr": "2023.13.45"}, "p"))
    assert draft.notice.date is None and any("no such day" in w for w in draft.warnings)
