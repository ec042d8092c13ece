"""Reading search-API pages into notices."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from sitegen.dates import DateError, beijing_date
from sitegen.sources.miit import PageError, RecordError, clean_title, read_page, to_notice

from .samples import SAMPLE_PAGE, make_page, make_record, write_page


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
    assert clean_title("关于<em>个</em><em>人</em>信息&amp;数据的通知 ") == "关于个人信息&数据的通知"


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
    notice = to_notice(records[0]).notice
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
    notice = to_notice(records[0], origin="http://127.0.0.1:8000").notice
    assert notice.source_url.startswith("http://127.0.0.1:8000/zwgk/")
    assert all(a.url.startswith("http://127.0.0.1:8000/") for a in notice.attachments)


def test_title_only_in_title_text_with_highlighting(tmp_path):
    entry = make_record("t1", "", "<p>正文</p>", title_text="关于<em>数据</em>安全的通知")
    (raw,) = read_page(write_page(tmp_path / "p.json", make_page(entry)))
    assert to_notice(raw).notice.title == "关于数据安全的通知"


@pytest.mark.parametrize("infoextends, reason", [
    (None, "no infoextends"),
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
    notice = to_notice(raw).notice
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
