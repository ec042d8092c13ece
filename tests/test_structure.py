"""Browse terms: a jointly issued notice under each issuer, a theme under its parents too."""

from __future__ import annotations

import datetime as dt

from sitegen.notice import Notice
from sitegen.site.structure import build_structure
from sitegen.terms import issuer_names, theme_path


def notice(id_: str, **fields) -> Notice:
    return Notice(id=id_, title=f"通知{id_}", date=dt.date(2020, 1, int(id_)), **fields)


def listed(site, axis: str) -> dict[str, list[str]]:
    return {term.value: [n.id for n in term.notices] for term in site.terms[axis]}


def test_joint_issuers_of_two_and_three_organs_are_listed_under_each():
    site = build_structure([
        notice("1", issuer="工业和信息化部"),
        notice("2", issuer="工业和信息化部 国家发展改革委"),
        notice("3", issuer="国务院、中央军委"),
        notice("4", issuer="工业和信息化部，国家发展改革委，财政部"),
        notice("5", issuer="国家 发展改革委"),  # one name with a space in it, not two organs
    ])
    assert listed(site, "issuer") == {
        "工业和信息化部": ["4", "2", "1"],
        "国家发展改革委": ["4", "2"],
        "中央军委": ["3"],
        "国务院": ["3"],
        "国家 发展改革委": ["5"],
        "财政部": ["4"],
    }
    assert site.notices[1].issuer == "工业和信息化部，国家发展改革委，财政部"  # kept as published


def test_a_theme_path_lists_its_notices_under_the_parent_and_the_child():
    site = build_structure([
        notice("1", theme="综合政务\\政务公开"),
        notice("2", theme="综合政务\\应急管理"),
        notice("3", theme="综合政务"),
        notice("4", theme="工业、交通\\信息产业（含电信）"),
    ])
    assert listed(site, "theme") == {
        "综合政务": ["3", "2", "1"],
        "工业、交通": ["4"],
        "工业、交通\\信息产业（含电信）": ["4"],
        "综合政务\\应急管理": ["2"],
        "综合政务\\政务公开": ["1"],
    }


def test_names_and_paths_read_from_values():
    assert issuer_names("中共中央、国务院") == ["中共中央", "国务院"]
    assert issuer_names("工业和信息化部、工业和信息化部") == ["工业和信息化部"]
    assert issuer_names("工业和信息化部办公厅") == ["工业和信息化部办公厅"]
    assert theme_path("综合政务 ＼ 政务公开") == ["综合政务", "综合政务\\政务公开"]
    assert theme_path("") == []
