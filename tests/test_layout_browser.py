"""A notice page beside its original in Chromium: the same lines flush, indented, hanging or
centred, the same cells left, centred or right (positions measured, not markup compared)."""

from __future__ import annotations

import json

import pytest

from sitegen.config import load_config
from sitegen.importer import import_pages
from sitegen.site.build import build_site

from .browser import chromium, require_chromium, serving
from .samples import REPO, make_page, make_record, write_page

pytestmark = pytest.mark.browser
THEME = str(REPO / "themes" / "default")

# Word-exported HTML as the ministry's pages carry it; each line names itself by its text.
ORIGINAL = """
<p style="text-align:center"><span style="font-family:楷体_GB2312"><b>工信部测〔2024〕1号</b></span></p>
<p>各省、自治区、直辖市通信管理局：</p>
<p style="text-indent:2em">为规范管理，现将有关事项通知如下。</p>
<p style="text-indent:2em"><span style="font-family:黑体">一、总体要求</span></p>
<p style="text-indent:2em">1　总则</p>
<p style="text-indent:2em">　　1.1　编制目的及依据</p>
<p>\u3000\u3000以全角空格缩进的段落。</p>
<p style="margin-left:42pt;text-indent:-42pt"><span style="font-size:14pt">附件：1．某某统计表（这是一行很长的附件名称，长到在页面上折行，以便看清悬挂缩进的续行位置；再长一些，再长一些，再长一些，再长一些，再长一些，再长一些，再长一些，再长一些，再长一些，再长一些，再长一些，再长一些，）</span></p>
<p><span>注：1、坐标系统为深圳独立坐标系统。<br>　　　　2、L为弧长。</span></p>
<div align="center"><table border="1">
<tr><td><p align="center" style="text-align:center"><b>一级指标（表头很长很长很长）</b></p></td>
    <td>说明文字很长很长很长很长</td></tr>
<tr><td style="text-align:right">1,024</td><td>左</td></tr>
</table></div>
<p style="text-align:right">工业和信息化部</p>
"""

# For each line: where it starts, in em from the body's left edge (None: not measured).
_MEASURE = """
([container, items]) => {
  const root = document.querySelector(container);
  const box = root.getBoundingClientRect();
  const left = box.left + parseFloat(getComputedStyle(root).paddingLeft);
  const center = box.left + box.width / 2;
  const found = {};
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  const skip = /[\\s\\u3000\\u00a0]/;
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const text = node.textContent;
    for (const item of items) {
      const at = text.indexOf(item);
      if (at < 0 || item in found) continue;
      const range = document.createRange();
      range.setStart(node, at); range.setEnd(node, at + 1);
      const first = range.getClientRects()[0];
      // The whole line (its block's text), for centred and right-aligned.
      const holder = node.parentElement.closest('td, th, p, h1, h2, h3, div, figure');
      range.selectNodeContents(holder);
      const whole = range.getBoundingClientRect();
      const size = parseFloat(getComputedStyle(node.parentElement).fontSize);  // em of the text
      const lines = range.getClientRects();
      const cell = node.parentElement.closest('td, th');
      const right = box.right - parseFloat(getComputedStyle(root).paddingRight);
      const entry = {start: (first.left - left) / size,
                     // where a wrapped paragraph's last line starts (hanging indents)
                     last: (lines[lines.length - 1].left - left) / size,
                     centred: whole.width < box.width * 0.8
                       && Math.abs((whole.left + whole.right) / 2 - center) < size,
                     right: Math.abs(whole.right - right) < size && (whole.left - left) > size * 4};
      if (cell) {
        const c = cell.getBoundingClientRect();
        const gapLeft = whole.left - c.left, gapRight = c.right - whole.right;
        entry.cell = Math.abs(gapLeft - gapRight) < 4 ? 'center' : (gapLeft < gapRight ? 'left' : 'right');
        const table = cell.closest('table').getBoundingClientRect();
        entry.table_centred = Math.abs((table.left + table.right) / 2 - center) < 2;
      }
      entry.font = getComputedStyle(node.parentElement).fontFamily;
      found[item] = entry;
    }
  }
  return found;
}
"""

LINES = ["工信部测", "各省", "为规范管理", "一、总体要求", "1　总则", "1.1", "以全角空格", "附件：", "注：", "2、L为弧长",
         "一级指标", "说明文字", "1,024", "左", "工业和信息化部"]


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    require_chromium()
    base = tmp_path_factory.mktemp("layout")
    (base / "original.html").write_text(
        '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"></head>'
        f'<body><div id="doc" style="width:40em">{ORIGINAL}</div></body></html>', encoding="utf-8")
    project = base / "project"
    record = make_record("layout1", "版式测试通知", ORIGINAL, cdate=1700000000000)
    page = write_page(base / "page.json", make_page(record))
    report = import_pages([page], project / "content")
    assert not report.errors, report.errors
    build_site(load_config(project, theme=THEME), project)
    (project / "public" / "original.html").write_text(
        (base / "original.html").read_text(encoding="utf-8"), encoding="utf-8")
    with serving(project / "public") as url:
        yield url


@pytest.fixture(scope="module")
def measured(pages, tmp_path_factory):
    with chromium(tmp_path_factory.mktemp("profile")) as context:
        tab = context.new_page()
        tab.set_viewport_size({"width": 1200, "height": 900})
        tab.goto(pages + "original.html")
        original = tab.evaluate(_MEASURE, ["#doc", LINES])
        tab.goto(pages + "notices/layout1.html")
        ours = tab.evaluate(_MEASURE, [".body", LINES])
        yield original, ours


def test_every_line_starts_where_the_original_starts_it(measured):
    original, ours = measured
    for line in LINES:
        a, b = original[line], ours[line]
        if a["centred"] or a["right"] or "cell" in a:
            assert (a["centred"], a["right"]) == (b["centred"], b["right"]), (line, a, b)
            continue
        assert abs(a["start"] - b["start"]) < 0.5, (line, a, b, json.dumps(ours, ensure_ascii=False))
    # What the original shows, spelled out: flush, indented, deeper, hanging.
    assert abs(ours["各省"]["start"]) < 0.5
    assert abs(ours["为规范管理"]["start"] - 2) < 0.5
    assert abs(ours["1.1"]["start"] - 4) < 0.5
    assert abs(ours["2、L为弧长"]["start"] - 4) < 0.5
    # The hanging indent: the first line flush, the wrapped lines under "1．".
    assert abs(ours["附件："]["start"]) < 0.5 and abs(ours["附件："]["last"] - 3) < 0.5
    assert abs(original["附件："]["last"] - ours["附件："]["last"]) < 0.5


def test_centred_lines_cells_and_tables_are_centred_as_in_the_original(measured):
    original, ours = measured
    assert original["工信部测"]["centred"] and ours["工信部测"]["centred"]
    assert not ours["各省"]["centred"]
    assert original["工业和信息化部"]["right"] and ours["工业和信息化部"]["right"]
    for cell in ("一级指标", "说明文字", "1,024", "左"):
        assert ours[cell]["cell"] == original[cell]["cell"], cell
    assert ours["1,024"]["cell"] == "right" and ours["一级指标"]["cell"] == "center"
    assert original["一级指标"]["table_centred"] and ours["一级指标"]["table_centred"]


def test_lines_set_in_a_face_of_their_own_keep_it_in_the_matching_cjk_stack(measured):
    ours = measured[1]
    assert ours["一、总体要求"]["font"].startswith("SimHei")  # 黑体, as the original sets it
    assert ours["工信部测"]["font"].startswith("KaiTi")  # 楷体
    assert ours["为规范管理"]["font"].startswith("FangSong")  # the body's own face
    assert abs(ours["一、总体要求"]["start"] - 2) < 0.5  # a face class leaves the indent alone
