"""Write N ministry-like notices as search-API JSON pages (deterministic for a given N and seed).

    python bench/generate.py --notices 10000 --out /tmp/pages

Titles, file numbers, columns, themes, issuers and dates over 20 years; bodies of 1,000-8,000
characters in Word-exported HTML with headings, bold leads, tables, lists, signatures and
attachments, as the MIIT CMS serves them.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
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


def notice_record(index: int, seed: int = 0) -> dict:
    rng = random.Random(f"{seed}:{index}")
    topic = rng.choice(TOPICS)
    issuer = rng.choice(ISSUERS)
    doc_type = rng.choice(TYPES)
    written = _date(rng)
    published = written + dt.timedelta(days=rng.randrange(0, 20))
    number = f"{rng.choice(ABBREVIATIONS)}〔{written.year}〕{index + 1}号"
    title = f"{issuer}关于{rng.choice(ACTIONS)}{topic}工作的{doc_type}"
    body, _ = _body(rng, topic, number, issuer, written, index)
    record_id = f"{rng.getrandbits(128):032x}"
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


def write_pages(count: int, out: Path, per_page: int = 100, seed: int = 0) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for start in range(0, count, per_page):
        entries = [notice_record(i, seed) for i in range(start, min(count, start + per_page))]
        page = {"success": True, "code": "200", "message": "查询成功", "data": {"searchResult": {
            "dataResults": [{"groupData": [e], "data": None} for e in entries], "total": count}}}
        path = out / f"page-{start // per_page + 1:04d}.json"
        path.write_text(json.dumps(page, ensure_ascii=False), encoding="utf-8")
        paths.append(path)
    return paths


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notices", type=int, default=1000)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--per-page", type=int, default=100)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    paths = write_pages(args.notices, args.out, args.per_page, args.seed)
    print(f"{args.notices} notices in {len(paths)} pages written to {args.out}")


if __name__ == "__main__":
    main()
