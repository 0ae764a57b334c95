"""Tests for the deterministic demo-corpus generator (pipelines.demo.generate)."""

from __future__ import annotations

import csv
import hashlib
import json
import os
import re
import subprocess
import sys
import time
import unicodedata
import zipfile
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest

from pipelines.demo.generate import DemoCorpus, generate_demo_corpus

REPO = Path(__file__).resolve().parents[2]
APPLICANTS = ("natural_person", "commercial", "research", "social_welfare", "legal_services", "other_org")
ORGS = APPLICANTS[1:]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> DemoCorpus:
    out = tmp_path_factory.mktemp("demo")
    t0 = time.perf_counter()
    c = generate_demo_corpus(out)
    secs = time.perf_counter() - t0
    print(f"\n[demo] generated {c.documents} documents + {c.broken} broken files in {secs:.1f}s")
    return c


@pytest.fixture(scope="module")
def golds(corpus: DemoCorpus) -> dict[str, dict[str, Any]]:
    return {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in sorted(corpus.gold_dir.glob("*.json"))}


@pytest.fixture(scope="module")
def planted(corpus: DemoCorpus) -> dict[str, Any]:
    return json.loads(corpus.planted_path.read_text(encoding="utf-8"))


def _doc_path(corpus: DemoCorpus, doc_id: str, gold: dict[str, Any]) -> Path:
    return (corpus.gold_dir / gold["file"]).resolve()


def _hashes(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


# --------------------------------------------------------------------------------------------------
# determinism


def test_determinism_across_processes(corpus: DemoCorpus, tmp_path: Path) -> None:
    other = tmp_path / "again"
    env = dict(os.environ, PYTHONHASHSEED="12345")
    subprocess.run(
        [sys.executable, "-m", "pipelines.demo.generate", str(other)],
        check=True,
        cwd=REPO,
        env=env,
        capture_output=True,
    )
    a, b = _hashes(corpus.out_dir), _hashes(other)
    assert a.keys() == b.keys()
    diff = [k for k in a if a[k] != b[k]]
    assert not diff, diff[:10]


def test_other_seed_differs(corpus: DemoCorpus, tmp_path: Path) -> None:
    c2 = generate_demo_corpus(tmp_path / "s7", seed=7)
    a = _hashes(corpus.gold_dir)
    b = _hashes(c2.gold_dir)
    assert a != b


# --------------------------------------------------------------------------------------------------
# structure


def test_layout_and_counts(
    corpus: DemoCorpus, golds: dict[str, dict[str, Any]], planted: dict[str, Any]
) -> None:
    assert len(golds) == corpus.gold_files == corpus.documents
    agencies: dict[str, set[int]] = defaultdict(set)
    rename = planted["renamed"]
    for g in golds.values():
        name = rename["new"] if g["agency"] == rename["old"] else g["agency"]
        agencies[name].add(g["year"])
        assert g["complete"] is True
        assert g["format"] in ("legacy", "2019", "2021")
        assert isinstance(g["notes"], str) and g["notes"]
    assert len(agencies) >= 12
    assert sum(len(y) >= 6 for y in agencies.values()) >= 12
    assert all(len(y) == 8 for n, y in agencies.items() if n != planted["missing"][0]["agency"])
    for g in golds.values():
        expected = "legacy" if g["year"] <= 2018 else ("2019" if g["year"] <= 2020 else "2021")
        if g["format"] != expected:
            assert (g["year"], g["format"]) == (2021, "2019")
    assert any(g["year"] == 2021 and g["format"] == "2019" for g in golds.values())
    exts: dict[str, int] = defaultdict(int)
    for p in corpus.inbox_dir.iterdir():
        exts[p.suffix] += 1
    assert exts[".pdf"] <= 35 + 3
    types: dict[str, int] = defaultdict(int)
    for g in golds.values():
        types[Path(g["file"]).suffix] += 1
    assert set(types) == {".html", ".txt", ".docx", ".pdf"}
    assert all(types[t] >= 15 for t in types), types


def test_gold_files_point_to_documents(corpus: DemoCorpus, golds: dict[str, dict[str, Any]]) -> None:
    inbox = corpus.inbox_dir.resolve()
    for doc_id, g in golds.items():
        p = _doc_path(corpus, doc_id, g)
        assert p.is_file(), g["file"]
        assert p.parent == inbox
        assert p.stem == doc_id


def test_rename_and_missing(golds: dict[str, dict[str, Any]], planted: dict[str, Any]) -> None:
    r = planted["renamed"]
    old = sorted(g["year"] for g in golds.values() if g["agency"] == r["old"])
    new = sorted(g["year"] for g in golds.values() if g["agency"] == r["new"])
    assert old and new and max(old) < r["from_year"] <= min(new)
    assert old == list(range(2016, r["from_year"])) and new == list(range(r["from_year"], 2024))
    for m in planted["missing"]:
        assert not [g for g in golds.values() if g["agency"] == m["agency"] and g["year"] == m["year"]]
        assert [g for g in golds.values() if g["agency"] == m["agency"]]


def test_planted_items_refer_to_existing(
    corpus: DemoCorpus, golds: dict[str, dict[str, Any]], planted: dict[str, Any]
) -> None:
    checks = {i["check"] for i in planted["inconsistencies"]}
    assert checks == {
        "t3.identity.outcomes_sum",
        "t3.identity.received_vs_results",
        "t3.identity.row_sum",
        "t4.identity.block_total",
        "legacy.identity.breakdown_sum",
        "narrative.identity.vs_table",
    }
    for item in planted["inconsistencies"]:
        assert item["doc_id"] in golds
        metrics = {(v["metric"], v["applicant"]) for v in golds[item["doc_id"]]["values"]}
        assert item["metric"] in {m for m, _ in metrics}
    reasons = {b["reason_contains"] for b in planted["broken"]}
    assert {"empty", "corrupt", "encrypted", "doc", "unsupported"} <= reasons
    gold_files = {Path(g["file"]).name for g in golds.values()}
    for b in planted["broken"]:
        assert (corpus.inbox_dir / b["file"]).is_file()
        assert b["file"] not in gold_files
    assert planted["seed"] == 2024


def test_metric_ids_exist_and_fit_the_format(golds: dict[str, dict[str, Any]]) -> None:
    with open(REPO / "pipelines" / "metrics.csv", encoding="utf-8") as f:
        formats = {r["metric_id"]: set(r["formats"].split(";")) for r in csv.DictReader(f)}
    for doc_id, g in golds.items():
        seen = set()
        for v in g["values"]:
            assert v["metric"] in formats, (doc_id, v["metric"])
            assert g["format"] in formats[v["metric"]], (doc_id, v["metric"], g["format"])
            key = (v["metric"], v["applicant"])
            assert key not in seen, (doc_id, key)
            seen.add(key)
            if v["metric"].startswith("t3."):
                assert v["applicant"] in (*APPLICANTS, "org_subtotal", "total")
            else:
                assert v["applicant"] is None
            assert set(v) == {"metric", "applicant", "value", "raw"}
        if g["format"] != "legacy":
            t3_cols = {v["applicant"] for v in g["values"] if v["metric"] == "t3.received.new"}
            assert t3_cols in ({*APPLICANTS, "total"}, {*APPLICANTS, "total", "org_subtotal"})
            n_t3 = sum(1 for v in g["values"] if v["metric"].startswith("t3."))
            rows = 25 if g["format"] == "2021" else 23
            assert n_t3 == rows * len(t3_cols)
            assert sum(1 for v in g["values"] if v["metric"].startswith("t4.")) == 15


def _reparse(raw: str, metric: str) -> float | int | None:
    s = unicodedata.normalize("NFKC", raw).strip().replace(",", "")
    if s in ("", "/"):
        return None
    if metric == "t2.procurement.amount":
        if s.endswith("万元"):
            return float(s[:-2])
        if s.endswith("元"):
            return int(s[:-1]) / 10000
    if re.fullmatch(r"[+-]?\d+", s):
        return int(s)
    return float(s)


def test_table_values_match_raw(golds: dict[str, dict[str, Any]]) -> None:
    for doc_id, g in golds.items():
        for v in g["values"]:
            if v["metric"].startswith(("t2.", "t3.", "t4.")):
                exp = _reparse(v["raw"], v["metric"])
                assert (exp is None and v["value"] is None) or abs(exp - v["value"]) < 1e-9, (doc_id, v)


def test_variations_present(golds: dict[str, dict[str, Any]]) -> None:
    vals = [(g, v) for g in golds.values() for v in g["values"]]
    assert any(v["metric"].startswith("t3.") and v["raw"] == "" and v["value"] is None for _, v in vals)
    assert any(v["metric"].startswith("t2.") and v["raw"] == "/" and v["value"] is None for _, v in vals)
    assert any(g["file"].endswith(".txt") and re.fullmatch(r"[０-９]+", v["raw"]) for g, v in vals)
    assert any(v["metric"].startswith("t2.") and "," in v["raw"] for _, v in vals)
    assert any(
        v["metric"] == "t2.admin_fees.amount" and re.fullmatch(r"\d+\.\d{4}", v["raw"]) for _, v in vals
    )
    assert any(
        v["metric"] == "t2.procurement.amount" and re.fullmatch(r"\d+元", v["raw"]) and v["value"]
        for _, v in vals
    )
    assert any(v["metric"] == "t2.procurement.amount" and v["raw"].endswith("万元") for _, v in vals)
    assert any(re.fullmatch(r"[+]\d+", v["raw"]) for _, v in vals)
    assert any(re.fullmatch(r"-\d+", v["raw"]) for _, v in vals)
    assert any(v["applicant"] == "org_subtotal" for _, v in vals)
    notes = " ".join(g["notes"] for g in golds.values())
    for s in (
        "numbered '1.'",
        "numbered '1、'",
        "numbered '（1）'",
        "corner note",
        "申请人情况 rowspan 2",
        "continues on the next page",
        "未收到",
        "未收取任何费用",
        "未发生",
        "其中…",
        "收取检索",
    ):
        assert s in notes, s
    assert any(v["metric"] == "n.fees.amount" and v["value"] and v["value"] > 0 for _, v in vals)


# --------------------------------------------------------------------------------------------------
# independent identity checker over gold (+ document text for legacy breakdowns)


def _doc_text(path: Path) -> str:
    data = path.read_bytes()
    if path.suffix == ".pdf":
        import pdfplumber

        with pdfplumber.open(path) as pdf:
            text = "".join(p.extract_text() or "" for p in pdf.pages)
    elif path.suffix == ".docx":
        import docx

        text = "".join(p.text for p in docx.Document(str(path)).paragraphs)
    else:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = data.decode("gb18030")
    return re.sub(r"\s+", "", text)


def _check_doc(doc_id: str, g: dict[str, Any], text: str | None) -> set[tuple[Any, ...]]:
    fails: set[tuple[Any, ...]] = set()
    v = {(x["metric"], x["applicant"]): x["value"] for x in g["values"]}

    def get(m: str, a: str | None = None) -> Any:
        return v.get((m, a))

    def ok(*xs: Any) -> bool:
        return all(x is not None for x in xs)

    if g["format"] != "legacy":
        cols = [a for (m, a) in v if m == "t3.received.new"]
        metrics = sorted({m for (m, _) in v if m.startswith("t3.")})
        for m in metrics:
            parts = [get(m, c) for c in APPLICANTS]
            if ok(*parts, get(m, "total")) and sum(parts) != get(m, "total"):
                fails.add((doc_id, "t3.identity.row_sum", m, "total"))
            if "org_subtotal" in cols:
                op = [get(m, c) for c in ORGS]
                if ok(*op, get(m, "org_subtotal")) and sum(op) != get(m, "org_subtotal"):
                    fails.add((doc_id, "t3.identity.row_sum", m, "org_subtotal"))
        has_other3 = any(m.startswith("t3.result.other.") for m in metrics)
        outcome_metrics = [
            m
            for m in metrics
            if m.startswith("t3.result.")
            and m != "t3.result.total"
            and not (has_other3 and m == "t3.result.other")
        ]
        for c in cols:
            outs = [get(m, c) for m in outcome_metrics]
            tot = get("t3.result.total", c)
            if ok(*outs, tot) and sum(outs) != tot:
                fails.add((doc_id, "t3.identity.outcomes_sum", "t3.result.total", c))
            new, co, cf = (
                get("t3.received.new", c),
                get("t3.received.carried_over", c),
                get("t3.carried_forward", c),
            )
            if ok(new, co, cf, tot) and new + co != tot + cf:
                fails.add((doc_id, "t3.identity.received_vs_results", "t3.result.total", c))
        for blk in ("reconsideration", "litigation_direct", "litigation_after_review"):
            parts = [get(f"t4.{blk}.{p}") for p in ("upheld", "corrected", "other", "pending")]
            tot = get(f"t4.{blk}.total")
            if ok(*parts, tot) and sum(parts) != tot:
                fails.add((doc_id, "t4.identity.block_total", f"t4.{blk}.total", None))
        for n, t in (
            ("n.applications.received", get("t3.received.new", "total")),
            ("n.reconsideration.total", get("t4.reconsideration.total")),
        ):
            if ok(get(n), t) and get(n) != t:
                fails.add((doc_id, "narrative.identity.vs_table", n, None))
        lit = [get("t4.litigation_direct.total"), get("t4.litigation_after_review.total")]
        if ok(get("n.litigation.total"), *lit) and get("n.litigation.total") != sum(lit):
            fails.add((doc_id, "narrative.identity.vs_table", "n.litigation.total", None))
    else:
        got = [get(f"n.applications.{k}") for k in ("granted", "partial", "denied")]
        if ok(*got) and sum(got) > get("n.applications.received"):
            fails.add((doc_id, "legacy.identity.applications", "n.applications.received", None))
        assert text is not None
        for pat, metric in (
            (
                r"行政复议数量为(\d+)件，其中维持具体行政行为数(\d+)件，其他情形数(\d+)件",
                "n.reconsideration.total",
            ),
            (
                r"行政诉讼案件(\d+)件，其中维持具体行政行为或者驳回原告诉讼请求数(\d+)件，其他情形数(\d+)件",
                "n.litigation.total",
            ),
        ):
            mt = re.search(pat, text)
            if mt:
                total, a, b = map(int, mt.groups())
                assert total == get(metric)
                if a + b != total:
                    fails.add((doc_id, "legacy.identity.breakdown_sum", metric, None))
        mt = re.search(r"共主动公开政府信息(\d+)条，其中(.*?)。", text)
        if mt:
            assert int(mt.group(1)) == get("n.proactive.total")
            if sum(map(int, re.findall(r"(\d+)条", mt.group(2)))) != int(mt.group(1)):
                fails.add((doc_id, "legacy.identity.breakdown_sum", "n.proactive.total", None))
    return fails


def test_identities_hold_except_planted(
    corpus: DemoCorpus, golds: dict[str, dict[str, Any]], planted: dict[str, Any]
) -> None:
    fails: set[tuple[Any, ...]] = set()
    for doc_id, g in golds.items():
        text = _doc_text(_doc_path(corpus, doc_id, g)) if g["format"] == "legacy" else None
        fails |= _check_doc(doc_id, g, text)
    # across years, same agency (through the rename)
    r = planted["renamed"]
    by_agency: dict[str, dict[int, dict[Any, Any]]] = defaultdict(dict)
    for doc_id, g in golds.items():
        name = r["new"] if g["agency"] == r["old"] else g["agency"]
        by_agency[name][g["year"]] = {
            "_id": doc_id,
            **{(x["metric"], x["applicant"]): x["value"] for x in g["values"]},
        }
    n_chain = n_force = 0
    for years in by_agency.values():
        for y, cur in years.items():
            nxt = years.get(y + 1)
            if not nxt:
                continue
            for c in (*APPLICANTS, "total"):
                a, b = cur.get(("t3.carried_forward", c)), nxt.get(("t3.received.carried_over", c))
                if a is not None and b is not None:
                    n_chain += 1
                    if a != b:
                        fails.add((nxt["_id"], "t3.cross_year.carried", "t3.received.carried_over", c))
            for kind in ("regulations", "normative_docs"):
                f0, f1 = cur.get((f"t2.{kind}.in_force", None)), nxt.get((f"t2.{kind}.in_force", None))
                i1, r1 = nxt.get((f"t2.{kind}.issued", None)), nxt.get((f"t2.{kind}.repealed", None))
                if f0 is not None and f1 is not None and i1 is not None and r1 is not None:
                    n_force += 1
                    if f1 != f0 + i1 - r1:
                        fails.add((nxt["_id"], "t2.cross_year.in_force", f"t2.{kind}.in_force", None))
    assert n_chain > 200 and n_force > 10
    expected = {(i["doc_id"], i["check"], i["metric"], i["applicant"]) for i in planted["inconsistencies"]}
    assert fails == expected


# --------------------------------------------------------------------------------------------------
# file formats


def test_pdf_text_extractable(corpus: DemoCorpus, golds: dict[str, dict[str, Any]]) -> None:
    import pdfplumber

    pdfs = [(d, g) for d, g in golds.items() if g["file"].endswith(".pdf")]
    assert 20 <= len(pdfs) <= 35
    for doc_id, g in pdfs:
        with pdfplumber.open(_doc_path(corpus, doc_id, g)) as pdf:
            text = pdf.pages[0].extract_text() or ""
        assert "(cid:" not in text
        assert g["agency"] in re.sub(r"\s+", "", text), doc_id
        assert re.search(r"政府信息公开", text)


def test_pdf_split_table_repeats_header(corpus: DemoCorpus, golds: dict[str, dict[str, Any]]) -> None:
    import pdfplumber

    split = [(d, g) for d, g in golds.items() if "continues on the next page" in g["notes"]]
    assert split
    doc_id, g = split[0]
    with pdfplumber.open(_doc_path(corpus, doc_id, g)) as pdf:
        pages = [re.sub(r"\s+", "", p.extract_text() or "") for p in pdf.pages]
    first = next(i for i, t in enumerate(pages) if "一、本年新收政府信息公开申请数量" in t)
    last = next(i for i, t in enumerate(pages) if "（七）总计" in t)
    assert last == first + 1
    assert "商业企业" in pages[first] and "商业企业" in pages[last]
    assert "(cid:" not in "".join(pages)
    # every table-3 number of the gold file is on the two pages, in table order
    t3 = [v["raw"] for v in g["values"] if v["metric"].startswith("t3.")]
    assert len(t3) >= 175


def test_html_encodings(corpus: DemoCorpus, golds: dict[str, dict[str, Any]]) -> None:
    gbk = lying = utf8 = 0
    for doc_id, g in golds.items():
        if not g["file"].endswith(".html"):
            continue
        data = _doc_path(corpus, doc_id, g).read_bytes()
        if "GBK bytes" in g["notes"]:
            with pytest.raises(UnicodeDecodeError):
                data.decode("utf-8")
            text = data.decode("gbk")  # strict: really GBK
            assert g["agency"] in text
            if "lies" in g["notes"]:
                lying += 1
                assert '<meta charset="utf-8">' in text
            else:
                gbk += 1
                assert "charset=gb2312" in text
        else:
            utf8 += 1
            text = data.decode("utf-8")
            assert '<meta charset="utf-8">' in text
        assert "当前位置" in text and "网站标识码" in text and "</html>" in text
    assert gbk >= 3 and lying == 1 and utf8 >= 15


def test_txt_and_docx(corpus: DemoCorpus, golds: dict[str, dict[str, Any]]) -> None:
    import docx

    n_pipe = 0
    for doc_id, g in golds.items():
        p = _doc_path(corpus, doc_id, g)
        if p.suffix == ".txt":
            text = p.read_text(encoding="utf-8")
            if g["format"] != "legacy":
                assert "| 一、本年新收政府信息公开申请数量 |" in text
                n_pipe += 1
        elif p.suffix == ".docx":
            with zipfile.ZipFile(p) as z:
                assert {i.date_time for i in z.infolist()} == {(g["year"] + 1, 1, 10, 8, 0, 0)}
            d = docx.Document(str(p))
            if g["format"] != "legacy":
                assert len(d.tables) == 3
                t3 = d.tables[1]
                assert (
                    t3.cell(5, 0).text == "三、本年度办理结果" or t3.cell(4, 0).text == "三、本年度办理结果"
                )
    assert n_pipe >= 5


def test_broken_files(corpus: DemoCorpus, planted: dict[str, Any]) -> None:
    import pdfplumber
    from pdfplumber.utils.exceptions import PdfminerException

    for b in planted["broken"]:
        p = corpus.inbox_dir / b["file"]
        data = p.read_bytes()
        reason = b["reason_contains"]
        if reason == "empty":
            assert data == b""
        elif p.suffix == ".pdf":
            assert data.startswith(b"%PDF")
            with pytest.raises(PdfminerException), pdfplumber.open(p) as pdf:
                pdf.pages[0].extract_text()
            if reason == "encrypted":
                assert b"/Encrypt" in data
        elif p.suffix == ".docx":
            assert not zipfile.is_zipfile(p)
        elif p.suffix == ".doc":
            assert data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
        else:
            assert reason == "unsupported"


def test_narrative_phrases_in_text(corpus: DemoCorpus, golds: dict[str, dict[str, Any]]) -> None:
    for doc_id, g in golds.items():
        if not g["file"].endswith((".txt", ".html")):
            continue
        text = _doc_text(_doc_path(corpus, doc_id, g))
        for v in g["values"]:
            if not v["metric"].startswith("n."):
                continue
            assert v["raw"] in text, (doc_id, v)
            if v["metric"] == "n.proactive.total":
                assert re.search(rf"(全年|共)主动公开政府信息{v['raw']}条", text)
            if v["metric"] == "n.applications.received" and v["raw"].isdigit():
                assert f"共收到政府信息公开申请{v['raw']}件" in text
