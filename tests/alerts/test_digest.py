"""Digest content: grouping, limits, stable keys, and both findings sources (lake and warehouse)."""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd

from pipelines.alerts import build_digest, finding_key, findings_from_frame
from pipelines.alerts.channels import WECOM_MARKDOWN_MAX_BYTES, slack_body, truncate_utf8
from pipelines.alerts.digest import DigestLimits
from tests.alerts.conftest import finding_row

NOW = datetime(2025, 2, 1, tzinfo=UTC)


def _lake_frame(n_agencies: int, per_agency: int) -> pd.DataFrame:
    rows = [
        finding_row(
            f"{a:064x}", f"第{a}区人民政府", "t3.identity.row_sum", f"总计 {i} ≠ {i + 1}", metric=f"m{i}"
        )
        for a in range(n_agencies)
        for i in range(per_agency)
    ]
    return pd.DataFrame(rows)


def test_lake_and_warehouse_frames_give_the_same_keys() -> None:
    lake_frame = _lake_frame(1, 2)
    warehouse_frame = lake_frame.rename(columns={"check": "check_id", "sha256": "report_id"})
    warehouse_frame["scope"] = None
    assert [f.key for f in findings_from_frame(lake_frame)] == [
        f.key for f in findings_from_frame(warehouse_frame)
    ]
    # A cross-report finding (no report) is keyed by its scope and stays distinct.
    cross = warehouse_frame.head(1).assign(report_id=None, scope="agency_year")
    (finding,) = findings_from_frame(cross)
    assert finding.report_id is None and finding.key != findings_from_frame(warehouse_frame)[0].key


def test_key_ignores_extractor_version_but_not_the_message() -> None:
    base = finding_key("a" * 64, "t3.identity.row_sum", "t3.received.new", "total", "总计 12 ≠ 11")
    assert base == finding_key("a" * 64, "t3.identity.row_sum", "t3.received.new", "total", "总计 12 ≠ 11")
    assert base != finding_key("a" * 64, "t3.identity.row_sum", "t3.received.new", "total", "总计 13 ≠ 11")
    assert base != finding_key("a" * 64, "t3.identity.row_sum", "t3.received.new", None, "总计 12 ≠ 11")


def test_limits_bound_the_listing_but_everything_is_counted() -> None:
    findings = findings_from_frame(_lake_frame(5, 4))  # 5 groups × 4 findings
    digest = build_digest(
        findings,
        [],
        [],
        created_at=NOW,
        limits=DigestLimits(max_findings=5, messages_per_group=2, max_groups=3),
    )
    listed = digest.listed()
    assert [len(samples) for _, samples in listed] == [2, 2, 1]  # the line budget runs out in the third group
    assert len(digest.keys) == 20
    text = digest.render().text
    assert "20 new findings on 5 reports (20 warning)" in text
    assert "… and 2 more groups (8 findings)" in text
    assert "    … and 3 more" in text  # the third group shows 1 of 4
    payload = digest.to_json()
    assert len(payload["finding_groups"]) == 5 and sum(g["count"] for g in payload["finding_groups"]) == 20


def test_unknown_agency_and_missing_message_are_shown_as_unknown_not_invented() -> None:
    frame = pd.DataFrame(
        [finding_row("c" * 64, None, "extraction_doubt", None, metric=None, applicant=None, year=None)]
    )  # type: ignore[arg-type]
    text = build_digest(findings_from_frame(frame), [], [], created_at=NOW).render().text
    assert "(agency unknown) · extraction_doubt · 1 finding (warning)" in text
    assert "    (no message)" in text


def test_channel_size_limits() -> None:
    findings = findings_from_frame(_lake_frame(60, 3))
    message = build_digest(findings, [], [], created_at=NOW, limits=DigestLimits(200, 3, 60)).render()
    content = truncate_utf8(message.markdown, WECOM_MARKDOWN_MAX_BYTES)
    assert len(content.encode("utf-8")) <= WECOM_MARKDOWN_MAX_BYTES
    assert content.endswith("… (truncated; see the warehouse findings table)\n")
    blocks = slack_body(message)["blocks"]
    assert len(blocks) > 1 and all(len(b["text"]["text"]) <= 3000 for b in blocks)


def test_slack_text_escapes_control_characters() -> None:
    frame = pd.DataFrame([finding_row("d" * 64, "A&B <局>", "t3.identity.row_sum", "x < y & z")])
    slack = build_digest(findings_from_frame(frame), [], [], created_at=NOW).render().slack
    assert (
        "*A&amp;B &lt;局&gt;*" in slack and "> 2021 t3.received.new/natural_person: x &lt; y &amp; z" in slack
    )
