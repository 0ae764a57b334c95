"""Deterministic generator of a realistic demo corpus of 政府信息公开工作年度报告 with known truth.

    python -m pipelines.demo.generate OUT_DIR [--seed N]

Writes ``OUT_DIR/inbox/`` (the documents: HTML UTF-8/GBK, TXT, DOCX, PDF and a few broken files),
``OUT_DIR/gold/<doc_id>.json`` (one gold file per readable document, extract-contract gold format) and
``OUT_DIR/planted.json`` (planted inconsistencies, broken files, the 机构改革 rename, the missing report).

All randomness comes from one ``random.Random(seed)``; no clock, no hash-order dependence, so the same
seed gives byte-identical files.  Every identity of the reports (勾稽关系: row sums, column balances,
table-4 block totals, carry-over and in-force chains) holds in the generated numbers except the
inconsistencies listed in planted.json.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from pipelines.demo.render import (
    Block,
    Cell,
    Document,
    PortalInfo,
    TableSpec,
    render_docx,
    render_html,
    render_pdf,
    render_txt,
)

YEARS = tuple(range(2016, 2024))
APPLICANTS = ("natural_person", "commercial", "research", "social_welfare", "legal_services", "other_org")
ORGS = APPLICANTS[1:]
SITE = "江东市人民政府门户网站"

# --------------------------------------------------------------------------------------------------
# agencies


@dataclass(frozen=True)
class Agency:
    key: str
    slug: str
    name: str
    level: str
    apps: float  # mean natural-person applications per year (2019+)
    org_share: float
    proactive: tuple[int, int]
    regs: bool
    normative: tuple[int, int]
    licensing: tuple[int, int]
    penalty: tuple[int, int]
    coercion: tuple[int, int]
    fees: tuple[float, float]  # 万元 per year
    recon: float  # mean reconsideration cases per year
    old_slug: str = ""
    old_name: str = ""
    renamed_from: int = 0

    def name_for(self, year: int) -> str:
        return self.old_name if self.renamed_from and year < self.renamed_from else self.name

    def slug_for(self, year: int) -> str:
        return self.old_slug if self.renamed_from and year < self.renamed_from else self.slug


# fmt: off
AGENCIES: tuple[Agency, ...] = (
    Agency("city", "jiangdong-gov", "江东市人民政府", "city", 55, 0.18, (3000, 6000), True, (8, 20),
           (0, 0), (0, 0), (0, 0), (0, 0), 2.0),
    Agency("govoffice", "jiangdong-govoffice", "江东市人民政府办公室", "office", 14, 0.12, (800, 1600), False,
           (2, 6), (0, 0), (0, 0), (0, 0), (0, 0), 0.6),
    Agency("edu", "jiangdong-edu", "江东市教育局", "department", 12, 0.1, (400, 900), False, (1, 5),
           (80, 300), (0, 6), (0, 0), (0, 0.6), 0.3),
    Agency("police", "jiangdong-police", "江东市公安局", "department", 24, 0.2, (600, 1500), False, (1, 4),
           (8000, 25000), (6000, 20000), (300, 1200), (50, 200), 1.0),
    Agency("finance", "jiangdong-finance", "江东市财政局", "department", 8, 0.25, (500, 1000), False, (3, 8),
           (0, 20), (0, 5), (0, 0), (0, 0), 0.3),
    Agency("hrss", "jiangdong-hrss", "江东市人力资源和社会保障局", "department", 18, 0.15, (500, 1200), False,
           (2, 6), (200, 800), (10, 60), (0, 5), (0, 3), 0.5),
    Agency("transport", "jiangdong-transport", "江东市交通运输局", "department", 10, 0.2, (300, 800), False,
           (1, 4), (1000, 4000), (800, 3000), (20, 100), (5, 40), 0.4),
    Agency("natres", "jiangdong-natres", "江东市自然资源局", "department", 32, 0.3, (600, 1400), False, (2, 6),
           (300, 900), (20, 80), (0, 10), (100, 800), 1.5,
           old_slug="jiangdong-landres", old_name="江东市国土资源局", renamed_from=2019),
    Agency("linhu", "linhu-gov", "江东市临湖区人民政府", "district", 38, 0.2, (1500, 3000), False, (3, 8),
           (50, 200), (20, 120), (0, 10), (0, 5), 1.2),
    Agency("xishan", "xishan-gov", "江东市西山区人民政府", "district", 28, 0.15, (1200, 2600), False, (2, 7),
           (40, 150), (10, 90), (0, 8), (0, 4), 0.9),
    Agency("binjiang", "binjiang-gov", "江东市滨江区人民政府", "district", 22, 0.15, (1000, 2200), False,
           (2, 6), (30, 120), (10, 60), (0, 5), (0, 3), 0.8),
    Agency("qiaotou", "linhu-qiaotou", "江东市临湖区桥头街道办事处", "street", 2, 0.1, (60, 200), False,
           (0, 0), (0, 0), (0, 0), (0, 0), (0, 0), 0.05),
    Agency("baitang", "xishan-baitang", "江东市西山区白塘镇人民政府", "township", 1.2, 0.1, (50, 150), False,
           (0, 0), (0, 0), (0, 0), (0, 0), (0, 0), 0.05),
)
# fmt: on
AGENCY_BY_KEY = {a.key: a for a in AGENCIES}

MISSING = ("baitang", 2017)
FORMAT_OVERRIDE = {("binjiang", 2021): "2019"}  # a 2021 report still printed with the 2019 tables

# --------------------------------------------------------------------------------------------------
# table 3 rows

DENIED = (
    ("state_secret", "属于国家秘密"),
    ("prohibited_by_law", "其他法律行政法规禁止公开"),
    ("three_safeties", "危及“三安全一稳定”"),
    ("third_party", "保护第三方合法权益"),
    ("internal_affairs", "属于三类内部事务信息"),
    ("process_info", "属于四类过程性信息"),
    ("enforcement_file", "属于行政执法案卷"),
    ("query_matter", "属于行政查询事项"),
)
UNABLE = (
    ("not_held", "本机关不掌握相关政府信息"),
    ("needs_creation", "没有现成信息需要另行制作"),
    ("unclear", "补正后申请内容仍不明确"),
)
NOT_PROCESSED = (
    ("petition", "信访举报投诉类申请"),
    ("duplicate", "重复申请"),
    ("publication", "要求提供公开出版物"),
    ("excessive", "无正当理由大量反复申请"),
    ("confirm_reissue", "要求行政机关确认或重新出具已获取信息"),
)
OTHER3 = (
    ("overdue_correction", "申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请"),
    ("unpaid_fee", "申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请"),
    ("other", "其他"),
)
OUTCOME_WEIGHTS: tuple[tuple[str, float], ...] = (
    ("t3.result.granted", 40),
    ("t3.result.partial", 8),
    *((f"t3.result.denied.{k}", w) for (k, _), w in zip(DENIED, (0.4, 1, 1, 2, 2, 3, 1, 3), strict=True)),
    *((f"t3.result.unable.{k}", w) for (k, _), w in zip(UNABLE, (25, 4, 2), strict=True)),
    *((f"t3.result.not_processed.{k}", w) for (k, _), w in zip(NOT_PROCESSED, (4, 3, 1, 1, 1), strict=True)),
    *((f"t3.result.other.{k}", w) for (k, _), w in zip(OTHER3, (2, 0.3, 2), strict=True)),
)
OUTCOME_METRICS = tuple(m for m, _ in OUTCOME_WEIGHTS)
T4_BLOCKS = ("reconsideration", "litigation_direct", "litigation_after_review")
T4_PARTS = ("upheld", "corrected", "other", "pending", "total")

FW_TABLE = str.maketrans("0123456789", "０１２３４５６７８９")

# --------------------------------------------------------------------------------------------------
# truth model


@dataclass
class Modern:
    """All numbers of one agency-year for the 2019/2021 formats (2021-style truth; 2019 view derived)."""

    t3: dict[str, dict[str, int]]
    t4: dict[str, int]
    proactive: int
    proactive_prev: int
    t2_2021: dict[str, float]
    t2_2019: dict[str, float]
    procurement_yuan: int


@dataclass
class Legacy:
    proactive: int
    proactive_prev: int
    categories: list[tuple[str, int]]
    received: int
    granted: int
    partial: int
    denied: int
    recon: int
    recon_upheld: int
    recon_other: int
    litig: int
    litig_upheld: int
    litig_other: int
    fees_yuan: Decimal


def _poisson(rng: random.Random, lam: float) -> int:
    if lam <= 0:
        return 0
    limit, k, p = math.exp(-lam), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def _split(rng: random.Random, n: int, keys: tuple[str, ...], weights: tuple[float, ...]) -> dict[str, int]:
    out = dict.fromkeys(keys, 0)
    for k in rng.choices(keys, weights=weights, k=n) if n else []:
        out[k] += 1
    return out


def _simulate(rng: random.Random) -> tuple[dict[tuple[str, int], Modern], dict[tuple[str, int], Legacy]]:
    modern: dict[tuple[str, int], Modern] = {}
    legacy: dict[tuple[str, int], Legacy] = {}
    for ag in AGENCIES:
        prev_pro = rng.randint(*ag.proactive)
        for year in range(2016, 2019):
            pro = max(1, int(prev_pro * rng.uniform(0.85, 1.25)))
            cats_names = [
                "机构职能类",
                "政策法规类",
                "规划计划类",
                "业务工作类",
                "人事信息类",
                "财政资金类",
                "其他类",
            ]
            cut = sorted(rng.randint(0, pro) for _ in range(len(cats_names) - 1))
            parts = [b - a for a, b in zip([0, *cut], [*cut, pro], strict=True)]
            received = _poisson(rng, ag.apps * 0.6)
            if ag.level in ("street", "township") and rng.random() < 0.7:
                received = 0
            granted = round(received * rng.uniform(0.5, 0.9))
            partial = rng.randint(0, (received - granted) // 2)
            denied = rng.randint(0, (received - granted - partial) // 2)
            if rng.random() < 0.5:  # many legacy reports account for every application
                granted = received - partial - denied
            recon = _poisson(rng, ag.recon * 0.7)
            ru = rng.randint(0, recon)
            litig = _poisson(rng, ag.recon * 0.5)
            lu = rng.randint(0, litig)
            fees = Decimal(0)
            if received and rng.random() < 0.3:
                fees = Decimal(rng.randint(5, 300)) + (Decimal("0.5") if rng.random() < 0.3 else Decimal(0))
            legacy[(ag.key, year)] = Legacy(
                pro,
                prev_pro,
                list(zip(cats_names, parts, strict=True)),
                received,
                granted,
                partial,
                denied,
                recon,
                ru,
                recon - ru,
                litig,
                lu,
                litig - lu,
                fees,
            )
            prev_pro = pro
        carried: dict[str, int] = {}
        for c in APPLICANTS:
            carried[c] = _poisson(rng, ag.apps * 0.08) if c == "natural_person" else int(rng.random() < 0.05)
        stock = {
            "reg_pub": rng.randint(30, 80) if ag.regs else 0,
            "norm_pub": rng.randint(20, 150) if ag.normative[1] else 0,
            "reg_force": rng.randint(40, 90) if ag.regs else 0,
            "norm_force": rng.randint(15, 120) if ag.normative[1] else 0,
        }
        items = {
            "licensing": rng.randint(20, 120) if ag.licensing[1] else 0,
            "other_services": rng.randint(5, 40) if ag.level != "township" and ag.level != "street" else 0,
            "penalty": rng.randint(60, 600) if ag.penalty[1] else 0,
            "coercion": rng.randint(5, 40) if ag.coercion[1] else 0,
            "admin_fees": rng.randint(1, 12) if ag.fees[1] else 0,
        }
        for year in range(2019, 2024):
            growth = 1 + 0.12 * (year - 2019)
            t3: dict[str, dict[str, int]] = {}
            new: dict[str, int] = {"natural_person": _poisson(rng, ag.apps * growth)}
            org_total = _poisson(rng, ag.apps * growth * ag.org_share)
            new.update(_split(rng, org_total, ORGS, (0.5, 0.05, 0.05, 0.25, 0.15)))
            cf: dict[str, int] = {}
            res: dict[str, dict[str, int]] = {}
            for c in APPLICANTS:
                avail = new[c] + carried[c]
                back = min(avail, _poisson(rng, avail * 0.06)) if avail else 0
                cf[c] = back
                res[c] = _split(rng, avail - back, OUTCOME_METRICS, tuple(w for _, w in OUTCOME_WEIGHTS))
            t3["t3.received.new"] = dict(new)
            t3["t3.received.carried_over"] = dict(carried)
            for m in OUTCOME_METRICS:
                t3[m] = {c: res[c][m] for c in APPLICANTS}
            t3["t3.result.other"] = {
                c: sum(res[c][f"t3.result.other.{k}"] for k, _ in OTHER3) for c in APPLICANTS
            }
            t3["t3.result.total"] = {c: new[c] + carried[c] - cf[c] for c in APPLICANTS}
            t3["t3.carried_forward"] = dict(cf)
            for row in t3.values():
                row["org_subtotal"] = sum(row[c] for c in ORGS)
                row["total"] = sum(row[c] for c in APPLICANTS)
            carried = dict(cf)
            t4: dict[str, int] = {}
            for blk, lam in zip(T4_BLOCKS, (ag.recon, ag.recon * 0.6, ag.recon * 0.3), strict=True):
                parts4 = _split(
                    rng, _poisson(rng, lam), ("upheld", "corrected", "other", "pending"), (5, 1, 2, 2)
                )
                for p4 in ("upheld", "corrected", "other", "pending"):
                    t4[f"t4.{blk}.{p4}"] = parts4[p4]
                t4[f"t4.{blk}.total"] = sum(parts4.values())
            pro = max(1, int(prev_pro * rng.uniform(0.9, 1.3)))
            # table 2, 2021 view
            t2: dict[str, float] = {}
            reg_issued = rng.randint(1, 4) if ag.regs else 0
            reg_rep = min(rng.randint(0, 2), stock["reg_force"]) if ag.regs else 0
            norm_issued = rng.randint(*ag.normative)
            norm_rep = min(rng.randint(0, max(1, norm_issued)), stock["norm_force"]) if ag.normative[1] else 0
            stock["reg_force"] += reg_issued - reg_rep
            stock["norm_force"] += norm_issued - norm_rep
            t2.update(
                {
                    "t2.regulations.issued": reg_issued,
                    "t2.regulations.repealed": reg_rep,
                    "t2.regulations.in_force": stock["reg_force"],
                    "t2.normative_docs.issued": norm_issued,
                    "t2.normative_docs.repealed": norm_rep,
                    "t2.normative_docs.in_force": stock["norm_force"],
                    "t2.licensing.decisions": rng.randint(*ag.licensing),
                    "t2.penalty.decisions": rng.randint(*ag.penalty),
                    "t2.coercion.decisions": rng.randint(*ag.coercion),
                }
            )
            fee = rng.uniform(*ag.fees) if ag.fees[1] else 0.0
            t2["t2.admin_fees.amount"] = round(fee, 2)
            # table 2, 2019 view
            t19: dict[str, float] = {}
            stock["reg_pub"] += reg_issued
            stock["norm_pub"] += norm_issued
            t19.update(
                {
                    "t2.regulations.new_made": reg_issued,
                    "t2.regulations.new_published": reg_issued,
                    "t2.regulations.total_published": stock["reg_pub"],
                    "t2.normative_docs.new_made": norm_issued,
                    "t2.normative_docs.new_published": norm_issued,
                    "t2.normative_docs.total_published": stock["norm_pub"],
                }
            )
            for it, dec in (
                ("licensing", t2["t2.licensing.decisions"]),
                ("other_services", rng.randint(0, 60) if items["other_services"] else 0),
                ("penalty", t2["t2.penalty.decisions"]),
                ("coercion", t2["t2.coercion.decisions"]),
                ("admin_fees", None),
            ):
                ch = rng.randint(-min(3, items[it]), 5) if items[it] else 0
                t19[f"t2.{it}.prev_year_items"] = items[it]
                t19[f"t2.{it}.change"] = ch
                if dec is not None:
                    t19[f"t2.{it}.decisions"] = dec
                items[it] += ch
            projects = rng.randint(0, 25) if ag.level not in ("street", "township") else rng.randint(0, 2)
            yuan = projects * rng.randint(20, 4000) * 100
            t19["t2.procurement.projects"] = projects
            modern[(ag.key, year)] = Modern(t3, t4, pro, prev_pro, t2, t19, yuan)
            prev_pro = pro
    return modern, legacy


# --------------------------------------------------------------------------------------------------
# documents


@dataclass
class DocPlan:
    agency: Agency
    year: int
    fmt: str
    ftype: str  # html | txt | docx | pdf
    doc_id: str = ""
    charset: str = "utf-8"  # html: utf-8 | gb2312 | lying (utf-8 meta, GBK bytes)
    opts: set[str] = field(default_factory=set)
    notes: list[str] = field(default_factory=list)
    label_style: str = "dot"  # t3 sub-row numbering: dot "1." | dunhao "1、" | paren "（1）"
    recon_style: str = ""  # legacy reconsideration phrasing: none | short | long
    published: str = ""
    blank_pick: list[tuple[str, str]] = field(default_factory=list)
    prose_key: str = ""  # seeds the section-五 wording, independent of the main random stream

    @property
    def filename(self) -> str:
        return f"{self.doc_id}.{self.ftype}"


def parse_raw(raw: str, kind: str = "count") -> int | float | None:
    """How a careful reader turns a printed cell into a value (gold convention)."""
    s = unicodedata.normalize("NFKC", raw).strip().replace(",", "")
    if s in ("", "/", "—", "-", "－"):
        return None
    if kind == "wan":  # 2019 procurement amount with its unit -> 万元
        if s.endswith("万元"):
            return float(Decimal(s[:-2]))
        if s.endswith("元"):
            return float(Decimal(s[:-1]) / 10000)
        return float(Decimal(s))
    if kind == "amount":
        return float(Decimal(s))
    return int(s)


class Builder:
    def __init__(self, plan: DocPlan) -> None:
        self.plan = plan
        self.blocks: list[Block] = []
        self.values: list[dict[str, object]] = []

    def add(self, kind: str, text: str = "") -> None:
        self.blocks.append(Block(kind, text))

    def val(self, metric: str, applicant: str | None, raw: str, kind: str = "count") -> str:
        self.values.append(
            {"metric": metric, "applicant": applicant, "value": parse_raw(raw, kind), "raw": raw}
        )
        return raw

    def phrase(self, metric: str, value: int | float, raw: str) -> None:
        self.values.append({"metric": metric, "applicant": None, "value": value, "raw": raw})


def _num(v: float, plan: DocPlan, *, thousands: bool = False) -> str:
    s = f"{int(v):,}" if thousands and abs(v) >= 1000 else str(int(v))
    return s.translate(FW_TABLE) if "fullwidth" in plan.opts else s


def _signed(v: float) -> str:
    return f"+{int(v)}" if v > 0 else str(int(v))


def _label(style: str, i: int, text: str) -> str:
    if style == "dot":
        return f"{i}.{text}"
    if style == "dunhao":
        return f"{i}、{text}"
    return f"（{i}）{text}"


def _table2_2021(b: Builder, m: Modern) -> TableSpec:
    plan = b.plan
    t2 = m.t2_2021
    thousands = "thousands" in plan.opts

    def n(metric: str) -> str:
        if "slash_regs" in plan.opts and metric.startswith("t2.regulations."):
            return b.val(metric, None, "/")
        return b.val(
            metric, None, f"{int(t2[metric]):,}" if thousands and t2[metric] >= 1000 else str(int(t2[metric]))
        )

    fee = t2["t2.admin_fees.amount"]
    if "fee4" in plan.opts:
        fee_raw = f"{fee + 0.0037:.4f}"
    elif fee == 0:
        fee_raw = "0"
    else:
        fee_raw = f"{fee:.2f}"
    H = Cell
    rows = [
        [H("第二十条第（一）项", cs=4, head=True)],
        [
            H("信息内容", head=True),
            H("本年制发件数", head=True),
            H("本年废止件数", head=True),
            H("现行有效件数", head=True),
        ],
        [
            H("规章"),
            H(n("t2.regulations.issued")),
            H(n("t2.regulations.repealed")),
            H(n("t2.regulations.in_force")),
        ],
        [
            H("行政规范性文件"),
            H(n("t2.normative_docs.issued")),
            H(n("t2.normative_docs.repealed")),
            H(n("t2.normative_docs.in_force")),
        ],
        [H("第二十条第（五）项", cs=4, head=True)],
        [H("信息内容", head=True), H("本年处理决定数量", cs=3, head=True)],
        [H("行政许可"), H(n("t2.licensing.decisions"), cs=3)],
        [H("第二十条第（六）项", cs=4, head=True)],
        [H("信息内容", head=True), H("本年处理决定数量", cs=3, head=True)],
        [H("行政处罚"), H(n("t2.penalty.decisions"), cs=3)],
        [H("行政强制"), H(n("t2.coercion.decisions"), cs=3)],
        [H("第二十条第（八）项", cs=4, head=True)],
        [H("信息内容", head=True), H("本年收费金额（单位：万元）", cs=3, head=True)],
        [H("行政事业性收费"), H(b.val("t2.admin_fees.amount", None, fee_raw, "amount"), cs=3)],
    ]
    return TableSpec(rows, 4, 0, [3, 2, 2, 2], "t2")


def _table2_2019(b: Builder, m: Modern) -> TableSpec:
    plan = b.plan
    t = m.t2_2019
    thousands = "thousands" in plan.opts

    def n(metric: str) -> str:
        v = t[metric]
        if metric.endswith(".change"):
            return b.val(metric, None, _signed(v))
        return b.val(metric, None, f"{int(v):,}" if thousands and v >= 1000 else str(int(v)))

    if "amount_wan" in plan.opts:
        w = Decimal(m.procurement_yuan) / 10000
        amount_raw = f"{w.normalize():f}万元" if m.procurement_yuan else "0"
    else:
        amount_raw = f"{m.procurement_yuan}元" if m.procurement_yuan else "0"
    H = Cell
    head4 = [
        H("信息内容", head=True),
        H("上一年项目数量", head=True),
        H("本年增/减", head=True),
        H("处理决定数量", head=True),
    ]
    rows = [
        [H("第二十条第（一）项", cs=4, head=True)],
        [
            H("信息内容", head=True),
            H("本年新制作数量", head=True),
            H("本年新公开数量", head=True),
            H("对外公开总数量", head=True),
        ],
        [
            H("规章"),
            H(n("t2.regulations.new_made")),
            H(n("t2.regulations.new_published")),
            H(n("t2.regulations.total_published")),
        ],
        [
            H("规范性文件"),
            H(n("t2.normative_docs.new_made")),
            H(n("t2.normative_docs.new_published")),
            H(n("t2.normative_docs.total_published")),
        ],
        [H("第二十条第（五）项", cs=4, head=True)],
        list(head4),
        [
            H("行政许可"),
            H(n("t2.licensing.prev_year_items")),
            H(n("t2.licensing.change")),
            H(n("t2.licensing.decisions")),
        ],
        [
            H("其他对外管理服务事项"),
            H(n("t2.other_services.prev_year_items")),
            H(n("t2.other_services.change")),
            H(n("t2.other_services.decisions")),
        ],
        [H("第二十条第（六）项", cs=4, head=True)],
        list(head4),
        [
            H("行政处罚"),
            H(n("t2.penalty.prev_year_items")),
            H(n("t2.penalty.change")),
            H(n("t2.penalty.decisions")),
        ],
        [
            H("行政强制"),
            H(n("t2.coercion.prev_year_items")),
            H(n("t2.coercion.change")),
            H(n("t2.coercion.decisions")),
        ],
        [H("第二十条第（八）项", cs=4, head=True)],
        [H("信息内容", head=True), H("上一年项目数量", head=True), H("本年增/减", cs=2, head=True)],
        [H("行政事业性收费"), H(n("t2.admin_fees.prev_year_items")), H(n("t2.admin_fees.change"), cs=2)],
        [H("第二十条第（九）项", cs=4, head=True)],
        [H("信息内容", head=True), H("采购项目数量", head=True), H("采购总金额", cs=2, head=True)],
        [
            H("政府集中采购"),
            H(n("t2.procurement.projects")),
            H(b.val("t2.procurement.amount", None, amount_raw, "wan"), cs=2),
        ],
    ]
    return TableSpec(rows, 4, 0, [3, 2, 2, 2], "t2")


def _t3_rows(fmt: str, style: str) -> list[tuple[str, str, str | None, int]]:
    """(metric, label, group label or None, group size) in printed order (result rows only)."""
    rows: list[tuple[str, str, str | None, int]] = [
        ("t3.result.granted", "（一）予以公开", None, 0),
        ("t3.result.partial", "（二）部分公开（区分处理的，只计这一情形，不计其他情形）", None, 0),
    ]
    for gid, glabel, items in (
        ("denied", "（三）不予公开", DENIED),
        ("unable", "（四）无法提供", UNABLE),
        ("not_processed", "（五）不予处理", NOT_PROCESSED),
    ):
        for i, (k, text) in enumerate(items, 1):
            rows.append((f"t3.result.{gid}.{k}", _label(style, i, text), glabel, len(items)))
    if fmt == "2021":
        for i, (k, text) in enumerate(OTHER3, 1):
            rows.append((f"t3.result.other.{k}", _label(style, i, text), "（六）其他处理", 3))
    else:
        rows.append(("t3.result.other", "（六）其他处理", None, 0))
    rows.append(("t3.result.total", "（七）总计", None, 0))
    return rows


def _table3(b: Builder, m: Modern, fmt: str) -> TableSpec:
    plan = b.plan
    subtotal = "subtotal" in plan.opts
    cols = [*APPLICANTS, *(["org_subtotal"] if subtotal else []), "total"]
    ndata = len(cols)
    blanks: set[tuple[str, str]] = set()
    if "blank_zero" in plan.opts or "blank_few" in plan.opts:
        zero_cells = [(met, c) for met, row in m.t3.items() for c in cols if row[c] == 0]
        if "blank_zero" in plan.opts:
            blanks = set(zero_cells)
        else:
            blanks = set(plan.blank_pick)

    def cells(metric: str) -> list[Cell]:
        out = []
        for c in cols:
            v = m.t3[metric][c]
            if plan.opts & {"planted_t3"} and metric == "t3.result.total" and c == "natural_person":
                v += 1
            raw = "" if (metric, c) in blanks else _num(v, plan)
            out.append(Cell(b.val(metric, c, raw)))
        return out

    H = Cell
    sub_heads = [H(x, head=True) for x in ("商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他")]
    if subtotal:
        sub_heads.append(H("小计", head=True))
    if "header_simple" in plan.opts:
        head = [
            [
                H("申请人情况", rs=2, cs=3, head=True),
                H("自然人", rs=2, head=True),
                H("法人或其他组织", cs=len(sub_heads), head=True),
                H("总计", rs=2, head=True),
            ],
            sub_heads,
        ]
    else:
        head = [
            [
                H(
                    "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）",
                    rs=3,
                    cs=3,
                    head=True,
                ),
                H("申请人情况", cs=ndata, head=True),
            ],
            [
                H("自然人", rs=2, head=True),
                H("法人或其他组织", cs=len(sub_heads), head=True),
                H("总计", rs=2, head=True),
            ],
            sub_heads,
        ]
    body: list[list[Cell]] = []
    body.append([H("一、本年新收政府信息公开申请数量", cs=3), *cells("t3.received.new")])
    body.append([H("二、上年结转政府信息公开申请数量", cs=3), *cells("t3.received.carried_over")])
    res_rows = _t3_rows(fmt, plan.label_style)
    seen_groups: set[str] = set()
    for i, (metric, label, group, gsize) in enumerate(res_rows):
        row: list[Cell] = []
        if i == 0:
            row.append(H("三、本年度办理结果", rs=len(res_rows)))
        if group is None:
            row.append(H(label, cs=2))
        else:
            if group not in seen_groups:
                seen_groups.add(group)
                row.append(H(group, rs=gsize))
            row.append(H(label))
        body.append(row + cells(metric))
    body.append([H("四、结转下年度继续办理", cs=3), *cells("t3.carried_forward")])
    return TableSpec(head + body, 3 + ndata, len(head), [1.1, 2.0, 6.0] + [1.6] * ndata, "t3")


def _table4(b: Builder, m: Modern) -> TableSpec:
    plan = b.plan
    H = Cell
    labels = ("结果维持", "结果纠正", "其他结果", "尚未审结", "总计")
    values = []
    for blk in T4_BLOCKS:
        for part in T4_PARTS:
            metric = f"t4.{blk}.{part}"
            v = m.t4[metric]
            if "planted_t4" in plan.opts and metric == "t4.reconsideration.total":
                v += 1
            values.append(H(b.val(metric, None, _num(v, plan))))
    rows = [
        [H("行政复议", cs=5, head=True), H("行政诉讼", cs=10, head=True)],
        [
            *(H(x, rs=2, head=True) for x in labels),
            H("未经复议直接起诉", cs=5, head=True),
            H("复议后起诉", cs=5, head=True),
        ],
        [H(x, head=True) for x in labels * 2],
        values,
    ]
    return TableSpec(rows, 15, 3, [1.0] * 15, "t4", font_size=6.5)


def _pub_date(rng: random.Random, plan: DocPlan) -> tuple[int, int, int]:
    if plan.fmt == "legacy":
        return plan.year + 1, 3, rng.randint(10, 31)
    return plan.year + 1, 1, rng.randint(12, 30)


_PROBLEMS = (
    "政策解读形式不够丰富，图表图解、视频解读等运用不足",
    "基层政务公开标准化规范化建设仍需加强",
    "部分栏目信息更新不够及时，内容不够全面",
    "依申请公开答复文书的规范性有待进一步提高",
    "政务新媒体互动回应的时效性还不够强",
    "重点领域信息公开的深度和广度仍有差距",
    "政府信息管理的动态调整机制尚不健全",
    "公众参与决策公开的渠道还不够畅通",
    "工作人员业务能力与新要求相比还有差距",
    "公开平台的集约化水平有待提升",
    "政策文件的历史版本整理还不够系统",
    "办事服务类信息的可读性还不够强",
)
_MEASURES = (
    "加强业务培训，提升工作人员依法公开的能力",
    "丰富解读形式，推动政策解读更加通俗易懂",
    "完善信息发布审核机制，确保公开内容准确规范",
    "规范依申请公开办理流程，提高答复质量",
    "加强政务新媒体管理，及时回应社会关切",
    "深化重点领域信息公开，拓展公开的广度和深度",
    "健全政府信息动态管理机制，定期清理更新",
    "拓宽公众参与渠道，提升决策公开实效",
    "推进公开平台集约化建设，提升服务能力",
    "加强督促检查，将政务公开纳入年度考核",
    "系统梳理现行有效政策文件，便于公众查阅",
    "优化办事指南表述，提高信息的可读性",
)


def _problems_section(prose_key: str, year: int) -> str:
    """Section 五 wording for one agency and year. Two of its four sentences name the year, so consecutive
    reports share at most half of their sentences unless a section is copied on purpose."""
    rng = random.Random(f"{prose_key}:{year}")
    problem_a, problem_b = rng.sample(_PROBLEMS, 2)
    measure_a, measure_b = rng.sample(_MEASURES, 2)
    return (
        f"{year}年，我单位政务公开工作仍存在一些不足：{problem_a}。{problem_b}。"
        f"下一步，将{measure_a}。{year + 1}年，还将{measure_b}，持续提升政务公开工作质量。"
    )


def _build_modern(rng: random.Random, plan: DocPlan, m: Modern) -> Builder:
    b = Builder(plan)
    year, name = plan.year, plan.agency.name_for(plan.year)
    nd = "年度" if rng.random() < 0.3 else "年"
    b.add("title", f"{name}{year}{nd}政府信息公开工作年度报告")
    plan.notes.append(f"title uses '{year}{nd}'")
    b.add(
        "p",
        "本报告根据《中华人民共和国政府信息公开条例》（以下简称《条例》）和《国务院办公厅政府信息公开办公室"
        "关于印发〈中华人民共和国政府信息公开工作年度报告格式〉的通知》要求编制。全文包括总体情况、主动公开政府信息情况、"
        "收到和处理政府信息公开申请情况、政府信息公开行政复议和行政诉讼情况、存在的主要问题及改进情况、其他需要报告的事项。"
        f"本报告所列数据的统计期限自{year}年1月1日起至{year}年12月31日止。本报告电子版可在{SITE}"
        "（www.jiangdong.gov.cn）“政府信息公开”专栏查阅或下载。",
    )
    b.add("h", "一、总体情况")
    b.add(
        "p",
        f"{year}年，{name}坚持以习近平新时代中国特色社会主义思想为指导，认真贯彻落实《条例》和上级关于政务公开"
        "工作的部署要求，坚持“以公开为常态、不公开为例外”，围绕中心工作推进决策、执行、管理、服务、结果公开，"
        "不断提升政务公开质量和实效。",
    )
    # (一) proactive
    pro_txt = f"（一）主动公开。全年主动公开政府信息{m.proactive}条"
    b.phrase("n.proactive.total", m.proactive, str(m.proactive))
    if rng.random() < 0.5:
        pct = (m.proactive - m.proactive_prev) * 100 / max(1, m.proactive_prev)
        pro_txt += f"，较上年的{m.proactive_prev}条{'增长' if pct >= 0 else '下降'}{abs(pct):.1f}%"
    big = m.proactive * rng.randint(6, 14) + rng.randint(0, 999)
    pro_txt += (
        f"。其中通过政府门户网站发布政策文件、工作动态等信息，门户网站累计发布信息{big}条；"
        f"通过政务新媒体发布信息{rng.randint(100, 900)}条，开展政策解读{rng.randint(5, 60)}次。"
    )
    b.add("p", pro_txt)
    # (二) applications
    new_total = m.t3["t3.received.new"]["total"]
    stated = new_total
    if "planted_narr" in plan.opts:
        co = m.t3["t3.received.carried_over"]["total"]
        stated = next(new_total + d for d in (3, 4, 5, 6) if d != co)
    phr = "本年度共收到政府信息公开申请" if rng.random() < 0.5 else "共收到政府信息公开申请"
    plan.notes.append(f"applications phrase '{phr}N件'")
    app_txt = f"（二）依申请公开。{phr}{stated}件"
    b.phrase("n.applications.received", stated, str(stated))
    if "planted_narr" not in plan.opts and rng.random() < 0.5:
        app_txt += f"，结转下年度继续办理{m.t3['t3.carried_forward']['total']}件"
    app_txt += (
        f"，均在法定期限内予以答复。全年接待群众现场咨询{rng.randint(30, 800)}人次，"
        f"受理政务服务热线转办件{rng.randint(10, 400)}件。"
    )
    b.add("p", app_txt)
    b.add(
        "p",
        f"（三）政府信息管理。严格落实公文公开属性源头认定和发布前保密审查机制，全年组织政务公开业务培训"
        f"{rng.randint(1, 8)}次，参训{rng.randint(20, 300)}人次。",
    )
    b.add("p", "（四）平台建设。持续优化政府信息公开专栏，规范政务新媒体管理，及时回应社会关切。")
    # (五) recon / litigation narrative
    recon = m.t4["t4.reconsideration.total"]
    litig = m.t4["t4.litigation_direct.total"] + m.t4["t4.litigation_after_review.total"]
    r = rng.random()
    if "planted_t4" in plan.opts:
        b.add("p", f"（五）监督保障。本年度因政府信息公开工作被提起行政诉讼{litig}件，相关工作人员依法应诉。")
        b.phrase("n.litigation.total", litig, str(litig))
        plan.notes.append("narrative states litigation only (no 行政复议 total)")
    elif r < 0.45:
        b.add(
            "p", f"（五）监督保障。全年因政府信息公开工作被申请行政复议{recon}件，被提起行政诉讼{litig}件。"
        )
        b.phrase("n.reconsideration.total", recon, str(recon))
        b.phrase("n.litigation.total", litig, str(litig))
    elif r < 0.85:
        b.add(
            "p", f"（五）监督保障。本年度发生政府信息公开行政复议{recon}件、行政诉讼{litig}件，均已依法办理。"
        )
        b.phrase("n.reconsideration.total", recon, str(recon))
        b.phrase("n.litigation.total", litig, str(litig))
    else:
        b.add("p", "（五）监督保障。将政务公开纳入绩效考核，强化社会评议和责任追究。")
        plan.notes.append("narrative states no reconsideration/litigation totals")
    if "split_t3" in plan.opts:
        for _ in range(3):
            b.add(
                "p",
                "坚持把政务公开作为推进法治政府建设的重要抓手，完善工作机制，压实工作责任，推动政务公开标准化规范化"
                "建设向基层延伸，在重点领域信息公开、政策解读回应、公众参与等方面持续发力，取得了较好成效。",
            )
    b.add("h", "二、主动公开政府信息情况")
    b.blocks.append(Block("table", table=(_table2_2021 if plan.fmt == "2021" else _table2_2019)(b, m)))
    b.add("h", "三、收到和处理政府信息公开申请情况")
    t3 = _table3(b, m, plan.fmt)
    split_at = None
    if "split_t3" in plan.opts:
        split_at = t3.header_rows + 2 + 2 + 8 + 3  # continue from （五）不予处理 on the next page
    b.blocks.append(Block("table", table=t3, split_at=split_at))
    h4 = (
        "四、政府信息公开行政复议、行政诉讼情况"
        if plan.fmt == "2021"
        else "四、因政府信息公开工作被申请行政复议、提起行政诉讼情况"
    )
    b.add("h", h4)
    b.blocks.append(Block("table", table=_table4(b, m)))
    b.add("h", "五、存在的主要问题及改进情况")
    # A copied section (planted) repeats the previous year's wording word for word.
    text_year = plan.year - 1 if "planted_repeat" in plan.opts else plan.year
    b.add("p", _problems_section(plan.prose_key, text_year))
    b.add("h", "六、其他需要报告的事项")
    b.add("p", "本年度未收取信息处理费。" if plan.fmt == "2021" else "无。")
    y, mo, d = _pub_date(rng, plan)
    b.add("sign", f"{name}\n{y}年{mo}月{d}日")
    plan.published = f"{y}-{mo:02d}-{d:02d}"
    return b


def _build_legacy(rng: random.Random, plan: DocPlan, lg: Legacy) -> Builder:
    b = Builder(plan)
    year, name = plan.year, plan.agency.name_for(plan.year)
    title = (
        f"{name}{year}年政府信息公开工作年度报告"
        if rng.random() < 0.6
        else f"{name}{year}年政府信息公开年度报告"
    )
    b.add("title", title)
    b.add(
        "p",
        "根据《中华人民共和国政府信息公开条例》（以下简称《条例》）规定，特向社会公布本机关"
        f"{year}年政府信息公开工作年度报告。本报告由概述，主动公开政府信息情况，依申请公开政府信息情况，"
        "政府信息公开的收费及减免情况，因政府信息公开申请行政复议、提起行政诉讼的情况，存在的主要问题及改进措施，"
        f"其他需要报告的事项七部分组成。本年度报告中所列数据的统计期限自{year}年1月1日起至{year}年12月31日止。",
    )
    b.add("h", "一、概述")
    b.add(
        "p",
        f"{year}年，{name}认真贯彻落实《条例》要求，加强组织领导，完善工作机制，扎实推进政府信息公开工作。"
        f"截至{year}年底，门户网站累计发布信息{lg.proactive * rng.randint(8, 20) + rng.randint(0, 999)}条，"
        f"全年接待群众咨询{rng.randint(50, 2000)}人次，开展业务培训{rng.randint(1, 6)}次。",
    )
    b.add("h", "二、主动公开政府信息情况")
    if "pro_breakdown" in plan.opts:
        cats = "、".join(f"{c}{n}条" for c, n in lg.categories)
        b.add("p", f"{year}年，共主动公开政府信息{lg.proactive}条，其中{cats}。")
        plan.notes.append("proactive phrase '共主动公开政府信息N条，其中…' (categories sum to N)")
    else:
        pct = (lg.proactive - lg.proactive_prev) * 100 / max(1, lg.proactive_prev)
        b.add(
            "p",
            f"{year}年，全年主动公开政府信息{lg.proactive}条，较上年的{lg.proactive_prev}条"
            f"{'增长' if pct >= 0 else '下降'}{abs(pct):.1f}%。主要通过政府门户网站、政务微博、公开栏等渠道公开。",
        )
        plan.notes.append("proactive phrase '全年主动公开政府信息N条' with previous-year distractor")
    b.phrase("n.proactive.total", lg.proactive, str(lg.proactive))
    b.add("h", "三、依申请公开政府信息情况")
    if lg.received == 0:
        phrase = "未收到公民、法人或其他组织的政府信息公开申请"
        b.add("p", f"{year}年，本机关{phrase}。")
        b.phrase("n.applications.received", 0, phrase)
        plan.notes.append("applications: '未收到…申请' -> 0")
    else:
        rest = lg.received - lg.granted - lg.partial - lg.denied
        txt = (
            f"{year}年，共收到政府信息公开申请{lg.received}件，其中同意公开{lg.granted}件，"
            f"同意部分公开{lg.partial}件，不予公开{lg.denied}件"
        )
        txt += f"，其余{rest}件因信息不存在或不属于本机关公开职责范围已告知申请人。" if rest else "。"
        b.add("p", txt + "所有申请均在规定期限内答复。")
        b.phrase("n.applications.received", lg.received, str(lg.received))
        b.phrase("n.applications.granted", lg.granted, str(lg.granted))
        b.phrase("n.applications.partial", lg.partial, str(lg.partial))
        b.phrase("n.applications.denied", lg.denied, str(lg.denied))
        plan.notes.append(
            "applications: '共收到政府信息公开申请N件，其中同意公开a件，同意部分公开b件，不予公开c件'"
        )
    b.add("h", "四、政府信息公开的收费及减免情况")
    if lg.fees_yuan:
        raw = f"{lg.fees_yuan.normalize():f}"
        b.add("p", f"{year}年，依申请提供政府信息收取检索、复制、邮寄等费用{raw}元，无减免情况。")
        b.phrase("n.fees.amount", float(lg.fees_yuan), raw)
        plan.notes.append("fees: '收取检索、复制、邮寄等费用X元'")
    else:
        b.add("p", f"{year}年，本机关在政府信息公开工作中未收取任何费用。")
        b.phrase("n.fees.amount", 0, "未收取任何费用")
        plan.notes.append("fees: '未收取任何费用' -> 0")
    b.add("h", "五、因政府信息公开申请行政复议、提起行政诉讼的情况")
    style = plan.recon_style
    if style == "none":
        phrase = "未发生因政府信息公开申请行政复议、提起行政诉讼的情况"
        b.add("p", f"{year}年，本机关{phrase}。")
        b.phrase("n.reconsideration.total", 0, phrase)
        b.phrase("n.litigation.total", 0, phrase)
        plan.notes.append("recon/litig: '未发生…' -> 0/0")
    elif style == "short":
        b.add("p", f"{year}年，因政府信息公开申请行政复议{lg.recon}件、提起行政诉讼{lg.litig}件。")
        b.phrase("n.reconsideration.total", lg.recon, str(lg.recon))
        b.phrase("n.litigation.total", lg.litig, str(lg.litig))
        plan.notes.append("recon/litig: '因政府信息公开申请行政复议N件、提起行政诉讼M件'")
    else:
        ru, ro = lg.recon_upheld, lg.recon_other
        if "planted_legacy" in plan.opts:
            ru, ro = 1, lg.recon - 2
        b.add(
            "p",
            f"{year}年，行政复议数量为{lg.recon}件，其中维持具体行政行为数{ru}件，其他情形数{ro}件。"
            f"行政诉讼案件{lg.litig}件，其中维持具体行政行为或者驳回原告诉讼请求数{lg.litig_upheld}件，"
            f"其他情形数{lg.litig_other}件。",
        )
        b.phrase("n.reconsideration.total", lg.recon, str(lg.recon))
        b.phrase("n.litigation.total", lg.litig, str(lg.litig))
        plan.notes.append(
            "recon/litig: '行政复议数量为N件，其中维持具体行政行为数a件，其他情形数b件。行政诉讼案件M件，…'"
        )
    b.add("h", "六、存在的主要问题及改进措施")
    b.add(
        "p",
        "我单位政府信息公开工作虽然取得了一定成效，但仍存在公开内容不够全面、更新不够及时等问题。下一步，"
        "将进一步规范公开流程，加强队伍建设，不断提高政府信息公开工作水平。",
    )
    b.add("h", "七、其他需要报告的事项")
    b.add("p", "无。")
    y, mo, d = _pub_date(rng, plan)
    b.add("sign", f"{name}\n{y}年{mo}月{d}日")
    plan.published = f"{y}-{mo:02d}-{d:02d}"
    return b


# --------------------------------------------------------------------------------------------------
# plan


def _plan(
    rng: random.Random, modern: dict[tuple[str, int], Modern], legacy: dict[tuple[str, int], Legacy]
) -> list[DocPlan]:
    plans: list[DocPlan] = []
    for ag in AGENCIES:
        for year in YEARS:
            if (ag.key, year) == MISSING:
                continue
            fmt = "legacy" if year <= 2018 else ("2019" if year <= 2020 else "2021")
            fmt = FORMAT_OVERRIDE.get((ag.key, year), fmt)
            p = DocPlan(ag, year, fmt, "")
            p.doc_id = f"{ag.slug_for(year)}-{year}"
            plans.append(p)
    leg = [p for p in plans if p.year <= 2018]
    mod = [p for p in plans if p.year >= 2019]
    for group, quota in (
        (leg, {"html": 18, "txt": 12, "docx": 4, "pdf": 4}),
        (mod, {"pdf": 28, "html": 14, "docx": 14, "txt": 9}),
    ):
        types = [t for t, n in quota.items() for _ in range(n)]
        assert len(types) == len(group), (len(types), len(group))
        rng.shuffle(types)
        for p, t in zip(group, types, strict=True):
            p.ftype = t

    used: set[str] = set()

    def pick(cands: list[DocPlan], opt: str) -> DocPlan:
        pool = [p for p in cands if p.doc_id not in used]
        p = rng.choice(pool)
        used.add(p.doc_id)
        p.opts.add(opt)
        return p

    def by(pred: Callable[[DocPlan], bool]) -> list[DocPlan]:
        return [p for p in plans if pred(p)]

    # planted inconsistencies (documents with plenty of cells and no blanks)
    busy = {"city", "police", "natres", "linhu", "xishan", "hrss"}
    pick(by(lambda p: p.fmt == "2021" and p.agency.key in busy), "planted_t3")
    t4p = pick(by(lambda p: p.fmt in ("2019", "2021") and p.agency.key in busy), "planted_t4")
    m4 = modern[(t4p.agency.key, t4p.year)]
    if m4.t4["t4.reconsideration.total"] == 0:  # make the broken block visibly non-empty
        m4.t4["t4.reconsideration.upheld"] = 1
        m4.t4["t4.reconsideration.pending"] = 1
        m4.t4["t4.reconsideration.total"] = 2
    pick(by(lambda p: p.fmt in ("2019", "2021") and p.agency.key in busy), "planted_narr")
    lp = pick(
        by(lambda p: p.fmt == "legacy" and p.ftype in ("html", "txt") and p.agency.key in busy),
        "planted_legacy",
    )
    lgl = legacy[(lp.agency.key, lp.year)]
    lgl.recon, lgl.recon_upheld, lgl.recon_other = 4, 1, 3  # printed as 1 + 2 (see _build_legacy)
    lp.recon_style = "long"
    # variations
    pick(by(lambda p: p.fmt != "legacy" and p.ftype == "txt"), "fullwidth")
    for _ in range(2):
        pick(by(lambda p: p.fmt != "legacy" and p.agency.key in busy), "blank_zero")
    pick(by(lambda p: p.fmt != "legacy" and p.ftype in ("html", "docx")), "blank_few")
    for _ in range(3):
        pick(by(lambda p: p.fmt != "legacy"), "subtotal")
    pick(by(lambda p: p.fmt == "2021" and not p.agency.regs and p.agency.normative[1] > 0), "slash_regs")
    pick(by(lambda p: p.fmt == "2021" and p.agency.fees[1] > 0), "fee4")
    pick(by(lambda p: p.fmt == "2021" and p.ftype == "pdf"), "split_t3")
    for p in plans:
        if p.agency.key == "police" and p.fmt != "legacy" and p.year in (2020, 2022):
            p.opts.add("thousands")
        if p.fmt == "2019" and rng.random() < 0.5:
            p.opts.add("amount_wan")
        if p.fmt != "legacy" and rng.random() < 0.3:
            p.opts.add("header_simple")
        p.label_style = rng.choice(["dot", "dot", "dot", "dunhao", "paren"])
        if p.fmt == "legacy":
            if not p.recon_style:
                lg = legacy[(p.agency.key, p.year)]
                if lg.recon == 0 and lg.litig == 0 and rng.random() < 0.7:
                    p.recon_style = "none"
                else:
                    p.recon_style = rng.choice(["short", "long"])
            if rng.random() < 0.4:
                p.opts.add("pro_breakdown")
    # blank_few: three zero cells, chosen now so the choice is reproducible
    for p in plans:
        if "blank_few" in p.opts:
            m = modern[(p.agency.key, p.year)]
            zeros = [
                (met, c)
                for met, row in m.t3.items()
                for c in (*APPLICANTS, "total")
                if row[c] == 0 and met != "t3.result.other"
            ]
            p.blank_pick = rng.sample(zeros, min(3, len(zeros)))
    # HTML encodings
    html_docs = [p for p in plans if p.ftype == "html" and not p.opts & {"planted_legacy"}]
    for p in rng.sample(html_docs, 5):
        p.charset = "gb2312"
    rng.choice([p for p in html_docs if p.charset == "utf-8"]).charset = "lying"
    return plans


# --------------------------------------------------------------------------------------------------
# main entry


@dataclass
class DemoCorpus:
    out_dir: Path
    inbox_dir: Path
    gold_dir: Path
    planted_path: Path
    documents: int
    gold_files: int
    broken: int
    agencies: int
    years: tuple[int, ...]
    counts: dict[str, dict[str, int]]  # format -> file type -> n
    files: list[str]


def _render(plan: DocPlan, b: Builder, rng: random.Random) -> bytes:
    name = plan.agency.name_for(plan.year)
    published = plan.published
    portal = PortalInfo(
        SITE,
        name,
        published,
        hits=rng.randint(120, 9000),
        url=f"https://www.jiangdong.gov.cn/zwgk/xxgk/nb/{plan.doc_id}.html",
    )
    doc = Document(b.blocks[0].text, b.blocks, portal, int(published[:4]))
    if plan.ftype == "html":
        style = rng.randint(0, 1)
        if plan.charset == "utf-8":
            return render_html(doc, "utf-8", style).encode("utf-8")
        meta = "gb2312" if plan.charset == "gb2312" else "utf-8"
        return render_html(doc, meta, style).encode("gbk")
    if plan.ftype == "txt":
        return render_txt(doc, with_header=rng.random() < 0.5).encode("utf-8")
    if plan.ftype == "docx":
        return render_docx(doc)
    return render_pdf(doc)


def _oneline(s: str) -> str:
    return " ".join(s.split())


def generate_demo_corpus(out_dir: Path, seed: int = 2024) -> DemoCorpus:
    out_dir = Path(out_dir)
    inbox, gold = out_dir / "inbox", out_dir / "gold"
    inbox.mkdir(parents=True, exist_ok=True)
    gold.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    modern, legacy = _simulate(rng)
    plans = _plan(rng, modern, legacy)
    counts: dict[str, dict[str, int]] = {}
    files: list[str] = []
    inconsistencies: list[dict[str, object]] = []
    for plan in plans:
        plan.prose_key = f"{seed}:{plan.agency.key}"
    repeated = _plant_repeated_section(plans)
    for plan in plans:
        if plan.fmt == "legacy":
            b = _build_legacy(rng, plan, legacy[(plan.agency.key, plan.year)])
        else:
            b = _build_modern(rng, plan, modern[(plan.agency.key, plan.year)])
        data = _render(plan, b, rng)
        (inbox / plan.filename).write_bytes(data)
        files.append(plan.filename)
        ft = plan.ftype if plan.ftype != "html" else f"html-{plan.charset}"
        counts.setdefault(plan.fmt, {}).setdefault(ft, 0)
        counts[plan.fmt][ft] += 1
        notes = [f"{plan.ftype}" + (f" ({_charset_note(plan.charset)})" if plan.ftype == "html" else "")]
        notes += _opt_notes(plan) + plan.notes
        g = {
            "file": f"../inbox/{plan.filename}",
            "agency": plan.agency.name_for(plan.year),
            "year": plan.year,
            "format": plan.fmt,
            "complete": True,
            "values": b.values,
            "notes": "; ".join(notes),
        }
        (gold / f"{plan.doc_id}.json").write_text(
            json.dumps(g, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
        )
        inconsistencies += _planted_for(plan)
    broken = _write_broken(rng, inbox)
    files += [x["file"] for x in broken]
    old = AGENCY_BY_KEY["natres"]
    planted = {
        "inconsistencies": inconsistencies,
        "broken": broken,
        "renamed": {"old": old.old_name, "new": old.name, "from_year": old.renamed_from},
        "missing": [{"agency": AGENCY_BY_KEY[MISSING[0]].name, "year": MISSING[1]}],
        "repeated_text": [
            {
                "doc_id": repeated.doc_id,
                "check": "cross.text_repetition",
                "section": "五",
                "description": "section 五 copies the previous year's report word for word",
            }
        ],
        "seed": seed,
    }
    planted_path = out_dir / "planted.json"
    planted_path.write_text(json.dumps(planted, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return DemoCorpus(
        out_dir,
        inbox,
        gold,
        planted_path,
        len(plans),
        len(plans),
        len(broken),
        len(AGENCIES),
        YEARS,
        counts,
        sorted(files),
    )


def _charset_note(cs: str) -> str:
    return {
        "utf-8": "UTF-8, meta utf-8",
        "gb2312": "GBK bytes, meta gb2312",
        "lying": "GBK bytes but <meta charset=utf-8> lies",
    }[cs]


def _opt_notes(plan: DocPlan) -> list[str]:
    notes = []
    if plan.fmt != "legacy":
        ls = plan.label_style
        notes.append(
            {
                "dot": "t3 sub-row labels numbered '1.'",
                "dunhao": "t3 sub-row labels numbered '1、'",
                "paren": "t3 sub-row labels numbered '（1）'",
            }[ls]
        )
        notes.append(
            "t3 header without corner note (申请人情况 rowspan 2)"
            if "header_simple" in plan.opts
            else "t3 header with corner note (official template)"
        )
    texts = {
        "fullwidth": "full-width digits in tables 3 and 4 (e.g. '１２')",
        "blank_zero": "zero cells of table 3 printed blank (gold null, raw '')",
        "blank_few": "a few blank cells in table 3 (gold null, raw '')",
        "subtotal": "table 3 has a 小计 column (org_subtotal)",
        "slash_regs": "table 2 规章 row printed '/' (gold null, raw '/')",
        "fee4": "table 2 行政事业性收费 amount with 4 decimals",
        "split_t3": "PDF: table 3 continues on the next page with the header rows repeated",
        "thousands": "thousands separators in table 2 (e.g. '12,345')",
        "amount_wan": "2019 procurement amount written in 万元",
        "planted_t3": "PLANTED: table 3 （七）总计 natural_person is off by 1",
        "planted_t4": "PLANTED: table 4 行政复议 总计 != sum of its four cells",
        "planted_narr": "PLANTED: narrative application count differs from table 3 received.new total",
        "planted_legacy": "PLANTED: reconsideration breakdown does not sum to the stated total",
    }
    for k in sorted(plan.opts):
        if k in texts:
            notes.append(texts[k])
    if plan.fmt == "2019" and "amount_wan" not in plan.opts:
        notes.append("2019 procurement amount written in 元 (gold in 万元)")
    if plan.fmt == "2019" and plan.year == 2021:
        notes.append("2021 report still printed with the 2019 trial tables")
    return notes


def _plant_repeated_section(plans: list[DocPlan]) -> DocPlan:
    """The first 2021-format report (by id) whose previous year is also a 2021-format report of the same
    agency copies that report's section 五."""
    modern = {(p.agency.key, p.year) for p in plans if p.fmt == "2021"}
    candidates = sorted(
        (p for p in plans if p.fmt == "2021" and (p.agency.key, p.year - 1) in modern), key=lambda p: p.doc_id
    )
    chosen = candidates[0]
    chosen.opts.add("planted_repeat")
    return chosen


def _planted_for(plan: DocPlan) -> list[dict[str, object]]:
    d = plan.doc_id
    out: list[dict[str, object]] = []
    if "planted_t3" in plan.opts:
        out += [
            {
                "doc_id": d,
                "check": "t3.identity.outcomes_sum",
                "metric": "t3.result.total",
                "applicant": "natural_person",
                "description": "（七）总计 natural_person is 1 more than the sum of its outcome rows",
            },
            {
                "doc_id": d,
                "check": "t3.identity.received_vs_results",
                "metric": "t3.result.total",
                "applicant": "natural_person",
                "description": "natural_person: 新收 + 上年结转 != （七）总计 + 结转下年度 (off by 1)",
            },
            {
                "doc_id": d,
                "check": "t3.identity.row_sum",
                "metric": "t3.result.total",
                "applicant": "total",
                "description": "（七）总计 row: 总计 column != sum of the six applicant columns (off by 1)",
            },
        ]
    if "planted_t4" in plan.opts:
        out.append(
            {
                "doc_id": d,
                "check": "t4.identity.block_total",
                "metric": "t4.reconsideration.total",
                "applicant": None,
                "description": "行政复议 总计 is 1 more than 维持+纠正+其他+尚未审结",
            }
        )
    if "planted_narr" in plan.opts:
        out.append(
            {
                "doc_id": d,
                "check": "narrative.identity.vs_table",
                "metric": "n.applications.received",
                "applicant": None,
                "description": "section 一 states more applications than table 3 本年新收 总计",
            }
        )
    if "planted_legacy" in plan.opts:
        out.append(
            {
                "doc_id": d,
                "check": "legacy.identity.breakdown_sum",
                "metric": "n.reconsideration.total",
                "applicant": None,
                "description": "行政复议数量为4件，其中维持1件，其他情形2件 (1 + 2 != 4)",
            }
        )
    return out


def _write_broken(rng: random.Random, inbox: Path) -> list[dict[str, str]]:
    out: list[dict[str, str]] = []

    def put(name: str, data: bytes, reason: str) -> None:
        (inbox / name).write_bytes(data)
        out.append({"file": name, "reason_contains": reason})

    put("linhu-gov-2021-fujian.pdf", b"", "empty")
    # a truncated PDF: an upload that stopped early (no xref, no trailer, no page content)
    small = Document(
        "江东市财政局2022年政府信息公开工作年度报告",
        [
            Block("title", "江东市财政局2022年政府信息公开工作年度报告"),
            Block("p", "本报告所列数据的统计期限自2022年1月1日起至2022年12月31日止。"),
        ],
        PortalInfo(SITE, "江东市财政局", "2023-01-20"),
        2023,
    )
    full = render_pdf(small)
    put("jiangdong-finance-2022-fujian.pdf", full[:900], "corrupt")
    enc = Document(
        "江东市临湖区人民政府2022年政府信息公开工作年度报告",
        [
            Block("title", "江东市临湖区人民政府2022年政府信息公开工作年度报告"),
            Block("p", "本报告所列数据的统计期限自2022年1月1日起至2022年12月31日止。"),
        ],
        PortalInfo(SITE, "江东市临湖区人民政府", "2023-01-18"),
        2023,
    )
    put("linhu-gov-2022-fujian.pdf", render_pdf(enc, encrypt="jd2023"), "encrypted")
    put(
        "binjiang-gov-2020-fujian.docx",
        b"\x00\x01" + bytes(rng.getrandbits(8) for _ in range(3000)),
        "corrupt",
    )
    put(
        "linhu-qiaotou-2019-fujian.doc",
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(rng.getrandbits(8) for _ in range(6000)),
        "doc",
    )
    put("jiangdong-hrss-2021-scan.xyz", bytes(rng.getrandbits(8) for _ in range(4096)), "unsupported")
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("out_dir", type=Path)
    ap.add_argument("--seed", type=int, default=2024)
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    corpus = generate_demo_corpus(args.out_dir, args.seed)
    dt_s = time.perf_counter() - t0
    print(
        f"wrote {corpus.documents} documents (+{corpus.broken} broken) for {corpus.agencies} agencies "
        f"into {corpus.inbox_dir} in {dt_s:.1f}s"
    )
    for fmt in sorted(corpus.counts):
        print(f"  {fmt:7s} " + ", ".join(f"{k}={v}" for k, v in sorted(corpus.counts[fmt].items())))
    return 0


if __name__ == "__main__":
    sys.exit(main())
