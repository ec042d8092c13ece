"""Write N notices of the central government's ministries as search-API JSON pages
(deterministic for a given N and seed).

    python bench/generate.py --notices 100000 --out /tmp/pages

Notices come from several sources (MIIT, the State Council, NDRC, the Ministry of Finance, ...),
each with its own file-number prefixes (工信部信管, 国办发, 发改价格 ...), columns, themes,
departments and topics, over 25 years (2001-2025, more notices in later years, as archives
grow); about one in ten is issued jointly (`工业和信息化部、国家发展改革委`). Bodies of
1,000-8,000 characters in Word-exported HTML with headings, bold leads, tables, lists,
signatures and attachments, as the MIIT CMS serves them.

What ties notices together grows as it would in a real archive: about a third cite earlier
notices (by title and file number, mostly of their own source), one in twenty-five is an
interpretation (解读, column 政策解读) of an earlier notice, and about one in eight repeals,
amends or replaces earlier ones in the ministries' phrasing (sentences, lists and tables of
repealed documents); some state their own 施行 date and period of validity, and some carry
sentences that only look like such acts. `--truth FILE` writes what each notice really does
(bench/relations.py). Pages are written on every core; 100,000 notices take about a minute.
"""

from __future__ import annotations

import argparse
import bisect
import dataclasses
import datetime as dt
import itertools
import json
import multiprocessing
import os
import random
import time
from dataclasses import dataclass, field
from functools import lru_cache, partial
from pathlib import Path


@dataclass(frozen=True)
class Ministry:
    """A source of notices: who issues them and how it numbers, files and words them."""

    name: str
    office: str  # its general office, which issues many notices in its own name
    prefixes: tuple[str, ...]  # file-number prefixes: 工信部信管〔2020〕81号
    columns: tuple[str, ...]
    themes: tuple[str, ...]
    departments: tuple[str, ...]
    topics: tuple[str, ...]
    subjects: tuple[str, ...]  # who a notice is addressed to
    code: str  # organisation code of its 索引号
    site: str  # path of its pages
    weight: int  # share of the archive


MINISTRIES = (
    Ministry(
        "工业和信息化部", "工业和信息化部办公厅",
        ("工信部信管", "工信厅信发", "工信部通信", "工信部网安", "工信部原", "工信厅科", "工信部节"),
        ("通知", "公告", "通告", "政策解读", "审批结果", "通信业", "软件业", "综合", "原材料工业", "装备工业"),
        ("信息通信管理", "通信发展", "软件和信息技术", "网络安全", "工业节能", "原材料", "装备工业",
         "消费品工业", "科技创新", "政策法规"),
        ("信息通信管理局", "信息通信发展司", "信息技术发展司", "网络安全管理局", "原材料工业司",
         "装备工业一司", "消费品工业司", "节能与综合利用司", "科技司", "政策法规司"),
        ("个人信息保护", "工业互联网", "物联网", "域名注册", "呼叫中心", "骚扰电话", "数据安全", "资费",
         "实名登记", "5G网络建设", "电信服务质量", "APP侵害用户权益", "网络安全", "新材料", "智能制造",
         "绿色制造", "中小企业", "软件产业", "车联网", "人工智能", "区块链", "云计算", "大数据", "卫星通信",
         "无线电管理", "码号资源", "应急通信", "信息消费", "电子商务", "工业数据分类分级"),
        ("各省、自治区、直辖市通信管理局", "各省、自治区、直辖市及计划单列市工业和信息化主管部门",
         "中国电信集团有限公司、中国移动通信集团有限公司、中国联合网络通信集团有限公司",
         "各有关单位", "部属各单位"),
        "00001854-5", "zwgk/zcwj", 30),
    Ministry(
        "国务院", "国务院办公厅", ("国发", "国办发", "国函", "国办函"),
        ("国务院文件", "国务院办公厅文件", "政策解读"),
        ("综合政务\\政务公开", "国民经济管理\\经济体制改革", "财政、金融、审计", "科技、教育", "工业、交通",
         "城乡建设、环境保护", "劳动、人事、监察", "卫生、体育"),
        ("国务院办公厅秘书局",),
        ("优化营商环境", "简政放权", "稳就业", "乡村振兴", "民营经济", "数字政府", "政务服务", "扩大内需",
         "减税降费", "国有企业改革", "对外开放", "社会保障", "应急管理", "养老服务", "教育公平"),
        ("各省、自治区、直辖市人民政府，国务院各部委、各直属机构", "各省、自治区、直辖市人民政府"),
        "000014349", "zhengce/content", 12),
    Ministry(
        "国家发展改革委", "国家发展改革委办公厅", ("发改价格", "发改能源", "发改高技", "发改产业", "发改办环资"),
        ("通知", "公告", "规划文本", "政策解读"),
        ("价格管理", "能源", "产业发展", "高技术产业", "资源节约和环境保护", "区域协调发展"),
        ("价格司", "能源局", "高技术司", "产业发展司", "环资司", "地区振兴司"),
        ("价格监管", "电力市场", "可再生能源", "节能降碳", "新型基础设施", "产业结构调整", "物流降本增效",
         "区域协调发展", "粮食安全", "重大项目建设", "招标投标", "营商环境", "数字经济"),
        ("各省、自治区、直辖市及计划单列市、新疆生产建设兵团发展改革委", "各有关中央企业"),
        "000013016", "xxgk/zcfb", 14),
    Ministry(
        "财政部", "财政部办公厅", ("财建", "财税", "财预", "财办", "财会"),
        ("通知公告", "政策发布", "政策解读"),
        ("财政预算", "税收政策", "会计管理", "政府采购", "资产管理"),
        ("经济建设司", "税政司", "预算司", "会计司", "国库司"),
        ("专项资金管理", "增值税", "政府采购", "地方政府债券", "会计准则", "预算绩效管理", "转移支付",
         "国有资产管理", "财政补贴", "小微企业税收优惠"),
        ("各省、自治区、直辖市、计划单列市财政厅（局）", "党中央有关部门，国务院各部委、各直属机构"),
        "000014349-2", "zhengwuxinxi/zhengcefabu", 12),
    Ministry(
        "生态环境部", "生态环境部办公厅", ("环办", "环大气", "环水体", "环土壤", "环发"),
        ("通知", "公告", "政策解读"),
        ("大气环境", "水生态环境", "土壤生态环境", "环境影响评价", "核与辐射安全"),
        ("大气环境司", "水生态环境司", "土壤生态环境司", "环境影响评价与排放管理司", "核设施安全监管司"),
        ("大气污染防治", "排污许可", "环境影响评价", "碳排放权交易", "固体废物", "重点流域", "土壤污染",
         "生态保护红线", "危险废物", "噪声污染防治"),
        ("各省、自治区、直辖市生态环境厅（局），新疆生产建设兵团生态环境局",),
        "000014672", "xxgk2018/xxgk", 10),
    Ministry(
        "交通运输部", "交通运输部办公厅", ("交规划发", "交运发", "交公路发", "交办运", "交水发"),
        ("部令", "规范性文件", "通知", "政策解读"),
        ("综合规划", "道路运输", "公路", "水运", "安全应急"),
        ("综合规划司", "运输服务司", "公路局", "水运局", "安全与质量监督管理司"),
        ("道路运输", "网络预约出租汽车", "公路养护", "港口建设", "城市公共交通", "农村公路", "交通运输安全",
         "综合交通枢纽", "绿色出行", "船舶污染防治"),
        ("各省、自治区、直辖市、新疆生产建设兵团交通运输厅（局、委）",),
        "000019017", "gov/zhengcejiedu", 10),
    Ministry(
        "国家市场监督管理总局", "市场监管总局办公厅", ("国市监", "市监法", "市监质", "市监网监"),
        ("公告", "通知", "政策解读"),
        ("市场监管", "产品质量", "食品安全", "计量标准", "网络交易"),
        ("法规司", "质量发展局", "食品经营安全监督管理司", "计量司", "网络交易监督管理司"),
        ("食品安全抽检", "产品质量监督", "网络交易", "反不正当竞争", "计量器具", "特种设备", "广告监管",
         "价格监督检查", "企业信用监管", "认证认可"),
        ("各省、自治区、直辖市和新疆生产建设兵团市场监管局（厅、委）",),
        "000014672-2", "zwgk/zcfg", 8),
    Ministry(
        "商务部", "商务部办公厅", ("商建发", "商贸发", "商资发", "商办流通"),
        ("公告", "政策发布", "政策解读"),
        ("对外贸易", "国内贸易", "外商投资", "电子商务"),
        ("外贸司", "流通发展司", "外资司", "电子商务司"),
        ("外贸稳定", "服务贸易", "外商投资", "跨境电子商务", "县域商业", "再生资源回收", "消费促进",
         "自由贸易试验区"),
        ("各省、自治区、直辖市、计划单列市及新疆生产建设兵团商务主管部门",),
        "000014331", "article/b/c", 4),
)
JOINT_PARTNERS = ("国家发展改革委", "财政部", "工业和信息化部", "生态环境部", "商务部", "交通运输部",
                  "国家市场监督管理总局", "中国人民银行", "国家税务总局", "科技部")
FIRST_YEAR, LAST_YEAR = 2001, 2025
TYPES = ["通知", "公告", "通告", "批复", "意见", "办法", "决定"]
SCOPES = ["", "", "工作", "工作", "管理", "试点工作", "专项行动", "若干措施", "实施方案", "有关事项"]
ACTIONS = ["加强", "推进", "规范", "做好", "开展", "深化", "促进", "完善"]
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
# Citing an earlier notice without acting on it (no word of repeal, amendment or validity).
CITING = [
    "根据《{t}》（{n}）有关要求，结合工作实际，现就有关事项通知如下。",
    "为贯彻落实《{t}》（{n}）精神，进一步做好相关工作。",
    "各单位要按照{n}文件要求，认真抓好落实。",
    "请结合《{t}》一并做好相关工作。",
    "有关工作参照《{t}》（{n}）的规定办理。",
]
NUMERALS = "一二三四五六七八九十"
BEIJING = dt.timezone(dt.timedelta(hours=8))
# More notices in later years, as archives grow: year n of 25 weighs 1 + n/4.
_YEAR_WEIGHTS = list(itertools.accumulate(4 + n for n in range(LAST_YEAR - FIRST_YEAR + 1)))
_MINISTRY_WEIGHTS = list(itertools.accumulate(m.weight for m in MINISTRIES))


def _weighted(rng: random.Random, cumulative: list[int]) -> int:
    return bisect.bisect_right(cumulative, rng.random() * cumulative[-1])


def _date(rng: random.Random) -> dt.datetime:
    year = FIRST_YEAR + _weighted(rng, _YEAR_WEIGHTS)
    start = dt.datetime(year, 1, 1, tzinfo=BEIJING)
    return start + dt.timedelta(days=rng.randrange(0, 365), hours=rng.randrange(8, 18))


def _ms(moment: dt.datetime) -> str:
    return str(int(moment.timestamp() * 1000))


def _paragraph(text: str, style: str = "text-indent: 2em; font-family: 宋体; font-size: 14px") -> str:
    return f'<p style="{style}"><span style="font-family: 仿宋_GB2312; font-size: 16px">{text}</span></p>\n'


@lru_cache(maxsize=1024)
def _sentence_pool(ministry: int, topic: str, year: int) -> tuple[str, ...]:
    """Every sentence a notice of a ministry on a topic may say (drawn from by the dozen: far
    faster than formatting each one)."""
    topics = MINISTRIES[ministry].topics + (topic,) * 6
    return tuple(s.format(t=t, y=year + 2) for s in SENTENCES for t in topics)


def _body(rng: random.Random, meta: Meta, index: int) -> tuple[str, int]:
    ministry = MINISTRIES[meta.ministry]
    topics, pool = ministry.topics, _sentence_pool(meta.ministry, meta.topic, meta.written.year)
    rand = rng.random  # drawn by hand: a third of the cost of choice() and randrange()

    def pick(items):
        return items[int(rand() * len(items))]

    def some(items, low: int, high: int) -> list:
        return [items[int(rand() * len(items))] for _ in range(low + int(rand() * (high - low)))]

    target = rng.randrange(300, 1500) if meta.interprets is not None else rng.randrange(1000, 8000)
    parts = [
        f'<p style="text-align: center; text-indent: 0em"><strong>{meta.number}</strong></p>\n'
        if meta.number else "",
        _paragraph(pick(ministry.subjects) + "："),
    ]
    length = 0
    section = 0
    while length < target:
        section += 1
        heading = f"{NUMERALS[(section - 1) % 10]}、{pick(ACTIONS)}{pick(topics)}"
        parts.append(_paragraph(f"<strong>{heading}</strong>"))
        for item in range(1, 2 + int(rand() * 3)):
            lead = f"（{NUMERALS[item - 1]}）{pick(ACTIONS)}{pick(topics)}。"
            text = "".join(some(pool, 2, 6))
            parts.append(_paragraph(f"<strong>{lead}</strong>{text}"))
            length += len(lead) + len(text)
        shape = rand()
        if shape < 0.15:
            rows = "".join(f"<tr><td>{r}</td><td>{pick(topics)}</td><td>{10 + int(rand() * 989)}</td></tr>"
                           for r in range(1, 3 + int(rand() * 4)))
            parts.append('<table border="1"><tbody><tr><td colspan="3"><strong>统计表</strong></td></tr>'
                         f'<tr><td>序号</td><td>项目</td><td>数量</td></tr>{rows}</tbody></table>\n')
        elif shape < 0.3:
            items = "".join(f"<li>{s}</li>" for s in some(pool, 2, 5))
            parts.append(f"<ul>{items}</ul>\n")
        elif shape < 0.45:
            lines = "<br/>".join(f"{n}．{s}" for n, s in enumerate(some(pool, 2, 5), 1))
            parts.append(_paragraph(lines))
    if rand() < 0.4:
        parts.append(_paragraph("附件："))
        for n in range(1, rng.randrange(2, 4)):
            name = f"{n}.{meta.topic}相关材料{n}.docx"
            parts.append(_paragraph(
                f'<a href="/api-gateway/jpaas-web-server/front/document/file-download?fileUrl=/cms_files/'
                f'filemanager/attach/{index:06d}{n}.docx&amp;fileName={name}">{name}</a>'))
    date_text = f"{meta.written.year}年{meta.written.month}月{meta.written.day}日"
    parts.append(f'<p style="text-align: right">{meta.issuer.replace("、", "<br/>")}<br/>{date_text}</p>\n')
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
    ministry: int = 0  # index in MINISTRIES
    prefix: str = ""  # of its file number
    column: str = ""
    interprets: int | None = None  # the notice an interpretation explains


def _issuer(rng: random.Random, ministry: Ministry) -> str:
    roll = rng.random()
    if roll < 0.62:
        return ministry.name
    if roll < 0.9:
        return ministry.office
    partners = [p for p in JOINT_PARTNERS if p != ministry.name]
    joint = [ministry.name, *rng.sample(partners, 1 if roll < 0.97 else 2)]
    return "、".join(joint)


def _meta(rng: random.Random, index: int) -> Meta:
    which = _weighted(rng, _MINISTRY_WEIGHTS)
    ministry = MINISTRIES[which]
    topic = rng.choice(ministry.topics)
    issuer = _issuer(rng, ministry)
    doc_type = rng.choice(TYPES)
    written = _date(rng)
    published = written + dt.timedelta(days=rng.randrange(0, 20))
    prefix = rng.choice(ministry.prefixes)
    # Provisional: a whole archive numbers each prefix's notices of a year 1, 2, 3 ... (plan_corpus).
    number = f"{prefix}〔{written.year}〕{index + 1}号"
    title = f"{issuer}关于{rng.choice(ACTIONS)}{topic}{rng.choice(SCOPES)}的{doc_type}"
    column = rng.choice([c for c in ministry.columns if c != "政策解读"])
    return Meta(topic, issuer, doc_type, written, published, number, title, which, prefix, column)


@lru_cache(maxsize=1 << 16)
def meta_of(index: int, seed: int = 0) -> Meta:
    return _meta(random.Random(f"{seed}:{index}"), index)


def notice_record(index: int, seed: int = 0, plan: Plan | None = None) -> dict:
    rng = random.Random(f"{seed}:{index}")
    meta = _meta(rng, index)
    if plan is not None:
        meta = plan.metas[index]
    ministry = MINISTRIES[meta.ministry]
    body, _ = _body(rng, meta, index)
    record_id = f"{rng.getrandbits(128):032x}"
    if plan is not None and index in plan.paragraphs:
        signature = body.rindex('<p style="text-align: right">')
        body = body[:signature] + plan.paragraphs[index] + body[signature:]
    content = [{"fieldTitle": "正文", "fieldName": "content", "fieldType": 7, "fieldValue": body}]
    published = meta.published
    data = {
        "xxgkextend2": meta.issuer, "themename": rng.choice(ministry.themes), "filenumbername": meta.number,
        "publishgroupname": rng.choice(ministry.departments), "createdate": _ms(meta.written),
        "cdate": _ms(published.replace(hour=0)), "deploytime": _ms(published),
        "title": meta.title, "title_text": meta.title, "columnname": meta.column, "typename": meta.doc_type,
        "indexcode": f"{ministry.code}/{published.year}-{index:05d}",
        "url": f"/{ministry.site}/art/{published.year}/art_{record_id}.html",
        "infoextends": json.dumps({"infoContent": json.dumps(content, ensure_ascii=False)},
                                  ensure_ascii=False),
    }
    return {"pkValue": record_id, "data": data, "groupData": []}


# -- notices citing, explaining and acting on notices ---------------------------------

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
class Plan:
    """The archive as a whole: each notice's metadata (file numbers counted per prefix and
    year, interpretations dated after what they explain), paragraphs to add to notices that
    cite or act on others (by index), and the truth: what each really does."""

    metas: list[Meta] = field(default_factory=list)
    paragraphs: dict[int, str] = field(default_factory=dict)
    truth: list[tuple[int, int, str]] = field(default_factory=list)  # (acting, target, kind)
    outside: list[tuple[int, str, str]] = field(default_factory=list)  # (acting, text, kind)
    false_friends: int = 0
    citations: int = 0
    interpretations: int = 0


def _numbered(metas: list[Meta]) -> list[Meta]:
    """File numbers as ministries give them: each prefix counts its notices of a year from 1
    (in the order they were written), so numbers are short and unique."""
    order = sorted(range(len(metas)), key=lambda i: (metas[i].written, i))
    counters: dict[tuple[str, int], int] = {}
    numbered = list(metas)
    for i in order:
        meta = metas[i]
        key = (meta.prefix, meta.written.year)
        counters[key] = counters.get(key, 0) + 1
        numbered[i] = dataclasses.replace(meta, number=f"{meta.prefix}〔{meta.written.year}〕{counters[key]}号")
    return numbered


def _interpretation(rng: random.Random, meta: Meta, target: Meta, target_index: int) -> Meta:
    """An interpretation of target: published within days of it, titled after it, no file number."""
    name = target.title.split("关于", 1)[-1]
    title = rng.choice([f"《关于{name}》解读", f"关于《{name}》的解读", f"《关于{name}》政策解读"])
    published = target.published + dt.timedelta(days=rng.randrange(0, 4), hours=rng.randrange(0, 3))
    issuer = MINISTRIES[target.ministry].office
    return dataclasses.replace(meta, ministry=target.ministry, issuer=issuer, doc_type="解读", number="",
                               prefix="", title=title, column="政策解读", written=published,
                               published=published, topic=target.topic, interprets=target_index)


def plan_corpus(count: int, seed: int = 0, share: float = 0.12, relations: bool = True) -> Plan:
    """Which notices cite, explain and act on which earlier ones, and how they say it
    (deterministic; linear in count, bar a sort)."""
    metas = _numbered([meta_of(i, seed) for i in range(count)])
    by_date = sorted((m.published, i) for i, m in enumerate(metas))
    order = [i for _, i in by_date]
    plan = Plan(metas)
    for index in range(count):  # interpretations first: their dates move
        rng = random.Random(f"{seed}:{index}:explains")
        if rng.random() < 0.04:
            earlier = bisect.bisect_left(by_date, (metas[index].published, -1))
            if earlier >= 1:
                target = order[rng.randrange(earlier)]
                if metas[target].interprets is None:
                    metas[index] = _interpretation(rng, metas[index], metas[target], target)
                    plan.interpretations += 1
    by_date = sorted((m.published, i) for i, m in enumerate(metas))
    order = [i for _, i in by_date]
    acts = [i for i in order if metas[i].interprets is None]  # what notices cite and act on
    act_dates = [metas[i].published for i in acts]
    by_ministry: dict[int, list[int]] = {}
    for i in acts:
        by_ministry.setdefault(metas[i].ministry, []).append(i)
    ministry_dates = {m: [metas[i].published for i in members] for m, members in by_ministry.items()}
    titles: dict[str, int] = {}
    for meta in metas:
        titles[meta.title] = titles.get(meta.title, 0) + 1
    for index, meta in enumerate(metas):
        rng = random.Random(f"{seed}:{index}:relations")
        earlier = bisect.bisect_left(act_dates, meta.published - dt.timedelta(days=1))
        roll = rng.random()
        parts: list[str] = []
        if meta.interprets is not None:
            target = metas[meta.interprets]
            parts.append(_p(f"近日，{target.issuer}印发了《{target.title}》（{target.number}）。"
                            "为便于理解，现就有关内容解读如下。"))
            plan.paragraphs[index] = "".join(parts)
            continue
        if rng.random() < 0.35:
            parts.extend(_citing(rng, index, meta, metas, by_ministry, ministry_dates, acts, earlier, plan))
        if relations and roll < share and earlier >= 4:
            pick = partial(_pick, rng, acts, earlier, index, metas, titles)
            parts.extend(_acting_paragraphs(rng, index, meta, metas, pick, plan))
        if relations and rng.random() < 0.06 and earlier:
            friend = rng.choice(FALSE_FRIENDS)
            other = metas[acts[rng.randrange(earlier)]]
            parts.append(_p(friend.format(t=other.title, n=other.number, topic=rng.choice(MINISTRIES[0].topics))))
            plan.false_friends += 1
        if relations and rng.random() < 0.08:
            start = meta.published + dt.timedelta(days=rng.randrange(0, 60))
            clause = f"本{NOUNS.get(meta.doc_type, '通知')}自{_cn_date(start)}起施行"
            if rng.random() < 0.5:
                clause += f"，有效期{rng.choice(['2', '3', '5', '两', '三', '五'])}年"
            parts.append(_p(clause + "。"))
        if parts:
            plan.paragraphs[index] = "".join(parts)
    return plan


plan_relations = plan_corpus  # bench/relations.py's name for it


def _citing(rng, index, meta, metas, by_ministry, ministry_dates, acts, earlier, plan) -> list[str]:
    """One to three sentences citing earlier notices, mostly of the notice's own ministry and
    mostly recent ones (as real notices cite what they implement)."""
    own = by_ministry.get(meta.ministry, [])
    own_earlier = bisect.bisect_left(ministry_dates.get(meta.ministry, []), meta.published - dt.timedelta(days=1))
    found = []
    for _ in range(rng.randrange(1, 4)):
        pool, size = (own, own_earlier) if rng.random() < 0.75 else (acts, earlier)
        if size < 1:
            continue
        # Recent ones more often: the square of a uniform draw leans to the end of the list.
        target = pool[size - 1 - int(size * rng.random() ** 2)]
        if target == index:
            continue
        other = metas[target]
        found.append(_p(rng.choice(CITING).format(t=other.title, n=other.number)))
        plan.citations += 1
    return found


def _pick(rng: random.Random, candidates: list[int], earlier: int, index: int, metas: list[Meta],
          titles: dict[str, int], unique_title: bool = False) -> int:
    """One of the first `earlier` candidates to act on (one whose title no other notice has, where
    it is cited by title alone: the archive cannot tell two of the same title apart, and should
    not guess)."""
    for _ in range(30):
        target = candidates[rng.randrange(earlier)]
        if target != index and (not unique_title or titles[metas[target].title] == 1):
            return target
    return -1


def _p(text: str) -> str:
    return _paragraph(text)


def _acting_paragraphs(rng, index, meta, metas, pick, plan: Plan) -> list[str]:
    noun = NOUNS.get(meta.doc_type, "通知")
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


_PLAN: Plan | None = None  # the archive's plan, shared with forked workers


def _write_page(job: tuple[int, int, int, int, int, Path]) -> list[str]:
    """One page of records start..stop; the ids of its records."""
    start, stop, count, per_page, seed, out = job
    entries = [notice_record(i, seed, _PLAN) for i in range(start, stop)]
    page = {"success": True, "code": "200", "message": "查询成功", "data": {"searchResult": {
        "dataResults": [{"groupData": [e], "data": None} for e in entries], "total": count}}}
    path = out / f"page-{start // per_page + 1:04d}.json"
    path.write_text(json.dumps(page, ensure_ascii=False), encoding="utf-8")
    return [e["pkValue"] for e in entries]


def write_pages(count: int, out: Path, per_page: int = 100, seed: int = 0, truth: Path | None = None,
                relations: bool = True) -> list[Path]:
    """Write the pages (on every core: each record depends only on its index, seed and the
    plan); without relations, no notice acts on another."""
    global _PLAN
    out.mkdir(parents=True, exist_ok=True)
    _PLAN = plan_corpus(count, seed, relations=relations)
    jobs = [(start, min(count, start + per_page), count, per_page, seed, out) for start in range(0, count, per_page)]
    workers = min(len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1, len(jobs))
    try:
        if workers > 1 and "fork" in multiprocessing.get_all_start_methods():
            with multiprocessing.get_context("fork").Pool(workers) as pool:
                pages = pool.map(_write_page, jobs, chunksize=4)
        else:
            pages = [_write_page(job) for job in jobs]
        plan = _PLAN
    finally:
        _PLAN = None
    ids = [record_id for page in pages for record_id in page]
    if truth is not None:
        record = {
            "relations": [{"source": ids[a], "target": ids[t], "kind": k} for a, t, k in plan.truth],
            "outside": [{"source": ids[a], "text": text, "kind": k} for a, text, k in plan.outside],
            "false_friends": plan.false_friends,
        }
        truth.write_text(json.dumps(record, ensure_ascii=False, indent=1), encoding="utf-8")
    return [out / f"page-{start // per_page + 1:04d}.json" for start in range(0, count, per_page)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notices", type=int, default=1000)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--per-page", type=int, default=100)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--truth", type=Path, default=None,
                        help="Also write what each notice repeals, amends or replaces (JSON).")
    args = parser.parse_args()
    started = time.perf_counter()
    paths = write_pages(args.notices, args.out, args.per_page, args.seed, args.truth)
    print(f"{args.notices} notices in {len(paths)} pages written to {args.out} "
          f"in {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
