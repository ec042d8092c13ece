"""Write N ministry-like notices as search-API JSON pages (deterministic for a given N and seed).

    python bench/generate.py --notices 10000 --out /tmp/pages

Titles, file numbers, columns, themes, issuers and dates over 20 years; bodies of 1,000-8,000
characters in Word-exported HTML with headings, bold leads, tables, lists, signatures and
attachments, as the MIIT CMS serves them. About one notice in eight repeals, amends or replaces
earlier ones in the ministry's phrasing (sentences, lists and tables of repealed documents),
some state their own 施行 date and period of validity, and some carry sentences that only look
like such acts; `--truth FILE` writes what each notice really does (bench/relations.py).
"""

from __future__ import annotations

import argparse
import bisect
import datetime as dt
import json
import random
from dataclasses import dataclass, field
from functools import lru_cache, partial
from pathlib import Path

ISSUERS = ["工业和信息化部", "工业和信息化部办公厅", "工业和信息化部 国家发展改革委", "国家无线电办公室"]
DEPARTMENTS = ["信息通信管理局", "信息通信发展司", "信息技术发展司", "网络安全管理局", "原材料工业司",
               "装备工业一司", "消费品工业司", "节能与综合利用司", "科技司", "政策法规司"]
COLUMNS = ["通知", "公告", "通告", "政策解读", "审批结果", "通信业", "软件业", "综合", "原材料工业", "装备工业"]
THEMES = ["信息通信管理", "通信发展", "软件和信息技术", "网络安全", "工业节能", "原材料", "装备工业",
          "消费品工业", "科技创新", "政策法规"]
TYPES = ["通知", "公告", "通告", "批复", "意见", "办法", "决定"]
ABBREVIATIONS = ["工信部信管", "工信厅信发", "工信部通信", "工信部网安", "工信部原", "工信厅科", "工信部节"]
TOPICS = ["个人信息保护", "工业互联网", "物联网", "域名注册", "呼叫中心", "骚扰电话", "数据安全", "资费",
          "实名登记", "5G网络建设", "电信服务质量", "APP侵害用户权益", "网络安全", "新材料", "智能制造",
          "绿色制造", "中小企业", "软件产业", "车联网", "人工智能", "区块链", "云计算", "大数据", "卫星通信",
          "无线电管理", "码号资源", "应急通信", "信息消费", "电子商务", "工业数据分类分级"]
ACTIONS = ["加强", "推进", "规范", "做好", "开展", "深化", "促进", "完善"]
SUBJECTS = ["各省、自治区、直辖市通信管理局", "各省、自治区、直辖市及计划单列市工业和信息化主管部门",
            "中国电信集团有限公司、中国移动通信集团有限公司、中国联合网络通信集团有限公司",
            "各有关单位", "部属各单位"]
SENTENCES = [
    "为深入贯彻落实党中央、国务院决策部署，{t}工作取得积极进展。",
    "各单位要充分认识{t}的重要意义，切实增强责任感和紧迫感。",
    "坚持问题导向，聚焦{t}领域的突出问题，强化监督检查。",
    "鼓励企业加大研发投入，提升{t}的技术水平和服务能力。",
    "电信管理机构应当依法履行监管职责，加强对{t}相关经营行为的监督管理。",
    "到{y}年底，基本建立{t}的标准体系和评估机制，形成可复制、可推广的经验。",
    "各地要结合实际制定实施方案，明确任务分工和时间节点，确保{t}各项措施落地见效。",
    "对违反规定的，依照《中华人民共和国电信条例》等相关规定予以处理，并纳入信用记录。",
    "加强宣传引导，及时总结推广{t}的典型案例，营造良好社会氛围。",
    "相关企业应当建立健全内部管理制度，落实主体责任，保障用户合法权益。",
    "统筹发展和安全，完善{t}相关政策措施，推动行业高质量发展。",
    "依据《网络安全法》《数据安全法》和《个人信息保护法》等法律法规，规范{t}相关活动。",
]
NUMERALS = "一二三四五六七八九十"


def _date(rng: random.Random) -> dt.datetime:
    start = dt.datetime(2005, 1, 1, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    return start + dt.timedelta(days=rng.randrange(0, 365 * 20), hours=rng.randrange(8, 18))


def _ms(moment: dt.datetime) -> str:
    return str(int(moment.timestamp() * 1000))


def _paragraph(text: str, style: str = "text-indent: 2em; font-family: 宋体; font-size: 14px") -> str:
    return f'<p style="{style}"><span style="font-family: 仿宋_GB2312; font-size: 16px">{text}</span></p>\n'


def _body(rng: random.Random, topic: str, number: str, issuer: str, written: dt.datetime, index: int) -> tuple[str, int]:
    target = rng.randrange(1000, 8000)
    parts = [
        f'<p style="text-align: center; text-indent: 0em"><strong>{number}</strong></p>\n',
        _paragraph(rng.choice(SUBJECTS) + "："),
    ]
    length = 0
    section = 0
    while length < target:
        section += 1
        heading = f"{NUMERALS[(section - 1) % 10]}、{rng.choice(ACTIONS)}{rng.choice(TOPICS)}"
        parts.append(_paragraph(f"<strong>{heading}</strong>"))
        for item in range(1, rng.randrange(2, 5)):
            lead = f"（{NUMERALS[item - 1]}）{rng.choice(ACTIONS)}{rng.choice(TOPICS)}。"
            text = "".join(rng.choice(SENTENCES).format(t=rng.choice(TOPICS + [topic]), y=written.year + 2)
                           for _ in range(rng.randrange(2, 6)))
            parts.append(_paragraph(f"<strong>{lead}</strong>{text}"))
            length += len(lead) + len(text)
        shape = rng.random()
        if shape < 0.15:
            rows = "".join(
                f"<tr><td>{r}</td><td>{rng.choice(TOPICS)}</td><td>{rng.randrange(10, 999)}</td></tr>"
                for r in range(1, rng.randrange(3, 7)))
            parts.append('<table border="1"><tbody><tr><td colspan="3"><strong>统计表</strong></td></tr>'
                         f'<tr><td>序号</td><td>项目</td><td>数量</td></tr>{rows}</tbody></table>\n')
        elif shape < 0.3:
            items = "".join(f"<li>{rng.choice(SENTENCES).format(t=rng.choice(TOPICS), y=2025)}</li>"
                            for _ in range(rng.randrange(2, 5)))
            parts.append(f"<ul>{items}</ul>\n")
        elif shape < 0.45:
            lines = "<br/>".join(f"{n}．{rng.choice(SENTENCES).format(t=rng.choice(TOPICS), y=2025)}"
                                 for n in range(1, rng.randrange(3, 6)))
            parts.append(_paragraph(lines))
    if rng.random() < 0.4:
        parts.append(_paragraph("附件："))
        for n in range(1, rng.randrange(2, 4)):
            name = f"{n}.{topic}相关材料{n}.docx"
            parts.append(_paragraph(
                f'<a href="/api-gateway/jpaas-web-server/front/document/file-download?fileUrl=/cms_files/'
                f'filemanager/attach/{index:06d}{n}.docx&amp;fileName={name}">{name}</a>'))
    date_text = f"{written.year}年{written.month}月{written.day}日"
    parts.append(f'<p style="text-align: right">{issuer}<br/>{date_text}</p>\n')
    return "".join(parts), length


@dataclass(frozen=True)
class Meta:
    """What other notices cite of a notice: drawn first, so it is known without the body."""

    topic: str
    issuer: str
    doc_type: str
    written: dt.datetime
    published: dt.datetime
    number: str
    title: str


def _meta(rng: random.Random, index: int) -> Meta:
    topic = rng.choice(TOPICS)
    issuer = rng.choice(ISSUERS)
    doc_type = rng.choice(TYPES)
    written = _date(rng)
    published = written + dt.timedelta(days=rng.randrange(0, 20))
    number = f"{rng.choice(ABBREVIATIONS)}〔{written.year}〕{index + 1}号"
    title = f"{issuer}关于{rng.choice(ACTIONS)}{topic}工作的{doc_type}"
    return Meta(topic, issuer, doc_type, written, published, number, title)


@lru_cache(maxsize=1 << 16)
def meta_of(index: int, seed: int = 0) -> Meta:
    return _meta(random.Random(f"{seed}:{index}"), index)


def notice_record(index: int, seed: int = 0, plan: RelationPlan | None = None) -> dict:
    rng = random.Random(f"{seed}:{index}")
    meta = _meta(rng, index)
    topic, issuer, doc_type, written, published, number, title = (
        meta.topic, meta.issuer, meta.doc_type, meta.written, meta.published, meta.number, meta.title)
    body, _ = _body(rng, topic, number, issuer, written, index)
    record_id = f"{rng.getrandbits(128):032x}"
    if plan is not None and index in plan.paragraphs:
        signature = body.rindex('<p style="text-align: right">')
        body = body[:signature] + plan.paragraphs[index] + body[signature:]
    column = rng.choice(COLUMNS)
    content = [{"fieldTitle": "正文", "fieldName": "content", "fieldType": 7, "fieldValue": body}]
    data = {
        "xxgkextend2": issuer, "themename": rng.choice(THEMES), "filenumbername": number,
        "publishgroupname": rng.choice(DEPARTMENTS), "createdate": _ms(written),
        "cdate": _ms(published.replace(hour=0)), "deploytime": _ms(published),
        "title": title, "title_text": title, "columnname": column, "typename": doc_type,
        "indexcode": f"00001854-5/{published.year}-{index:05d}",
        "url": f"/zwgk/zcwj/art/{published.year}/art_{record_id}.html",
        "infoextends": json.dumps({"infoContent": json.dumps(content, ensure_ascii=False)},
                                  ensure_ascii=False),
    }
    return {"pkValue": record_id, "data": data, "groupData": []}


# -- notices acting on notices -------------------------------------------------------

NOUNS = {"通知": "通知", "公告": "公告", "通告": "通告", "批复": "批复", "意见": "意见", "办法": "办法", "决定": "决定"}
OUTSIDE = ["关于加强电信市场监管工作的暂行规定", "关于规范互联网信息服务收费行为的若干意见",
           "电信设备进网管理试行办法", "关于做好无线电频率规划工作的通知（试行）", "通信建设工程安全生产管理规定"]
FALSE_FRIENDS = [
    "依据《关于废止部分规章的决定》，进一步做好相关工作。",
    "原有的纸质备案方式不再执行，统一通过网上系统办理。",
    "本通知第三条第二款同时废止，其他条款继续有效。",
    "电信业务经营许可证有效期为5年，期满需要继续经营的，应当提前申请续期。",
    "各地要认真落实《{t}》（{n}），不得擅自停止执行。",
    "现将修订后的《{t}》印发给你们，请遵照执行。",
    "《{t}》中关于{topic}的规定，各单位要继续执行。",
    "建议有关部门适时废止《{t}》。",
    "本办法施行前发布的有关规定与本办法不一致的，以本办法为准。",
    "对《{t}》执行中发现的问题，请及时反馈，我部将适时修订。",
]


def _cn_date(day: dt.datetime | dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


@dataclass
class RelationPlan:
    """Paragraphs to add to acting notices (by index) and the truth: what each really does."""

    paragraphs: dict[int, str] = field(default_factory=dict)
    truth: list[tuple[int, int, str]] = field(default_factory=list)  # (acting, target, kind)
    outside: list[tuple[int, str, str]] = field(default_factory=list)  # (acting, text, kind)
    false_friends: int = 0


def plan_relations(count: int, seed: int = 0, share: float = 0.12) -> RelationPlan:
    """Which notices act on which earlier ones, and how they say it (deterministic)."""
    metas = [meta_of(i, seed) for i in range(count)]
    titles: dict[str, int] = {}
    for meta in metas:
        titles[meta.title] = titles.get(meta.title, 0) + 1
    by_date = sorted((m.published, i) for i, m in enumerate(metas))
    plan = RelationPlan()
    for index, meta in enumerate(metas):
        rng = random.Random(f"{seed}:{index}:relations")
        earlier = bisect.bisect_left(by_date, (meta.published - dt.timedelta(days=1), -1))
        roll = rng.random()
        parts: list[str] = []
        if roll < share and earlier >= 4:
            pick = partial(_pick, rng, [i for _, i in by_date[:earlier]], index, metas, titles)
            parts = _acting_paragraphs(rng, index, meta, metas, pick, plan)
        if rng.random() < 0.06:
            friend = rng.choice(FALSE_FRIENDS)
            other = metas[by_date[rng.randrange(max(1, earlier))][1]]
            parts.append(_p(friend.format(t=other.title, n=other.number, topic=rng.choice(TOPICS))))
            plan.false_friends += 1
        if rng.random() < 0.08:
            start = meta.published + dt.timedelta(days=rng.randrange(0, 60))
            clause = f"本{NOUNS[meta.doc_type]}自{_cn_date(start)}起施行"
            if rng.random() < 0.5:
                clause += f"，有效期{rng.choice(['2', '3', '5', '两', '三', '五'])}年"
            parts.append(_p(clause + "。"))
        if parts:
            plan.paragraphs[index] = "".join(parts)
    return plan


def _pick(rng: random.Random, earlier: list[int], index: int, metas: list[Meta], titles: dict[str, int],
          unique_title: bool = False) -> int:
    """An earlier notice to act on (one whose title no other notice has, where it is cited by title
    alone: the archive cannot tell two of the same title apart, and should not guess)."""
    for _ in range(30):
        target = earlier[rng.randrange(len(earlier))]
        if target != index and (not unique_title or titles[metas[target].title] == 1):
            return target
    return -1


def _p(text: str) -> str:
    return _paragraph(text)


def _acting_paragraphs(rng, index, meta, metas, pick, plan: RelationPlan) -> list[str]:
    noun = NOUNS[meta.doc_type]
    start = _cn_date(meta.published + dt.timedelta(days=rng.randrange(0, 60)))

    def cite(target: int, with_number: bool = True) -> str:
        other = metas[target]
        return f"《{other.title}》（{other.number}）" if with_number else f"《{other.title}》"

    def truth(target: int, kind: str) -> None:
        plan.truth.append((index, target, kind))

    form = rng.randrange(19)
    targets = [t for t in {pick(): None for _ in range(rng.randrange(2, 6))} if t >= 0]
    one = targets[0] if targets else -1
    if one < 0:
        return []
    if form == 0:
        truth(one, "repeal")
        return [_p(f"本{noun}自{start}起施行。{cite(one)}同时废止。")]
    if form == 1:
        truth(one, "repeal")
        return [_p(f"{cite(one)}自本{noun}施行之日起废止。")]
    if form == 2:
        truth(one, "repeal")
        return [_p(f"本{noun}自发布之日起施行，{metas[one].number}文件同时废止。")]
    if form == 3:
        truth(one, "repeal")
        return [_p(f"原{metas[one].issuer}印发的{cite(one)}停止执行。")]
    if form == 4:
        for target in targets:
            truth(target, "repeal")
        names = "、".join(cite(t) for t in targets)
        return [_p(f"经清理，现决定废止{names}等{len(targets)}件规范性文件。")]
    if form == 5:
        for target in targets:
            truth(target, "repeal")
        items = [_p(f"{n}.{cite(t)}{'。' if n == len(targets) else '；'}") for n, t in enumerate(targets, 1)]
        return [_p(f"本{noun}自{start}起施行。下列文件同时废止：")] + items
    if form == 6:
        for target in targets:
            truth(target, "repeal")
        rows = "".join(
            f"<tr><td>{n}</td><td>{metas[t].title}</td><td>{metas[t].number}</td>"
            f"<td>{_cn_date(metas[t].published)}</td></tr>" for n, t in enumerate(targets, 1))
        return [_p(f"以下{len(targets)}件规范性文件自本{noun}施行之日起废止："),
                ('<table border="1"><tbody><tr><td>序号</td><td>文件名称</td><td>文号</td><td>发布日期</td></tr>'
                 f"{rows}</tbody></table>\n")]
    if form == 7:
        truth(one, "amend")
        return [_p(f"工业和信息化部决定对{cite(one)}作如下修改："),
                _p(f"一、将第{NUMERALS[rng.randrange(9)]}条修改为：“电信业务经营者应当依法提供服务。”"),
                _p("本决定自发布之日起施行。")]
    if form == 8:
        truth(one, "amend")
        return [_p(f"根据工作需要，对{cite(one)}部分条款予以修改，修改后的条款自{start}起执行。")]
    if form == 9:
        truth(one, "amend")
        return [_p(f"{cite(one)}第{NUMERALS[rng.randrange(9)]}条同时废止。")]
    if form == 10:
        truth(one, "replace")
        return [_p(f"本{noun}施行后，原{cite(one)}不再执行。")]
    if form == 11:
        unique = pick(unique_title=True)
        if unique < 0:
            return []
        truth(unique, "replace")
        return [_p(f"本{noun}自{start}起施行，原{cite(unique, with_number=False)}不再执行。")]
    if form == 12:
        unique = pick(unique_title=True)
        if unique < 0:
            return []
        truth(unique, "repeal")
        return [_p(f"{cite(unique, with_number=False)}同时废止。")]
    if form == 13:
        truth(one, "repeal")
        return [_p(f"为适应工作需要，现将{cite(one)}予以废止。")]
    if form == 14:
        truth(one, "amend")
        return [_p(f"经研究，决定对{cite(one)}予以修正。")]
    if form == 15:
        for target in targets:
            truth(target, "repeal")
        names = "、".join(cite(t) for t in targets)
        return [_p(f"{names}自{start}起废止。")]
    if form == 16:
        for target in targets:
            truth(target, "repeal")
        items = [_p(f"（{NUMERALS[n - 1]}）{cite(t)}") for n, t in enumerate(targets, 1)]
        return [_p("工业和信息化部决定废止下列规范性文件：")] + items + [_p(f"本{noun}自发布之日起施行。")]
    if form == 17:
        for target in targets:
            truth(target, "amend")
        items = [_p(f"{n}.{cite(t)}") for n, t in enumerate(targets, 1)]
        return [_p("对下列文件的部分条款予以修改：")] + items
    outside = rng.choice(OUTSIDE)
    plan.outside.append((index, f"《{outside}》", "repeal"))
    return [_p(f"本{noun}自{start}起施行，《{outside}》同时废止。")]


def write_pages(count: int, out: Path, per_page: int = 100, seed: int = 0, truth: Path | None = None,
                relations: bool = True) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    plan = plan_relations(count, seed) if relations else None
    paths, ids = [], []
    for start in range(0, count, per_page):
        entries = [notice_record(i, seed, plan) for i in range(start, min(count, start + per_page))]
        ids.extend(e["pkValue"] for e in entries)
        page = {"success": True, "code": "200", "message": "查询成功", "data": {"searchResult": {
            "dataResults": [{"groupData": [e], "data": None} for e in entries], "total": count}}}
        path = out / f"page-{start // per_page + 1:04d}.json"
        path.write_text(json.dumps(page, ensure_ascii=False), encoding="utf-8")
        paths.append(path)
    if truth is not None and plan is not None:
        record = {
            "relations": [{"source": ids[a], "target": ids[t], "kind": k} for a, t, k in plan.truth],
            "outside": [{"source": ids[a], "text": text, "kind": k} for a, text, k in plan.outside],
            "false_friends": plan.false_friends,
        }
        truth.write_text(json.dumps(record, ensure_ascii=False, indent=1), encoding="utf-8")
    return paths


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notices", type=int, default=1000)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--per-page", type=int, default=100)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--truth", type=Path, default=None,
                        help="Also write what each notice repeals, amends or replaces (JSON).")
    args = parser.parse_args()
    paths = write_pages(args.notices, args.out, args.per_page, args.seed, args.truth)
    print(f"{args.notices} notices in {len(paths)} pages written to {args.out}")


if __name__ == "__main__":
    main()
