"""What an alert says: new findings grouped by agency and check, failed gates and failed runs, rendered as
plain text (e-mail), Markdown (WeCom, DingTalk), Slack mrkdwn and a JSON payload (generic webhooks).

A digest lists a bounded number of lines (``max_groups``, ``messages_per_group``, ``max_findings``) but
counts everything it covers: every finding it counts is alerted, and the rest are one warehouse query away.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property
from typing import Any

import pandas as pd

from pipelines import lake
from pipelines.alerts.config import SEVERITIES, severity_rank
from pipelines.paths import ProjectPaths
from pipelines.warehouse import connect_published, read_sql

DIGEST_PAYLOAD_KIND = "xxgk.alerts.digest"
TEST_PAYLOAD_KIND = "xxgk.alerts.test"


@dataclass(frozen=True)
class FindingAlert:
    """One finding as alerted; ``report_id`` is the document sha256 (lake) or report_id (warehouse)."""

    key: str
    report_id: str | None
    year: int | None
    agency: str | None
    check: str
    metric: str | None
    applicant: str | None
    severity: str
    message: str | None
    scope: str | None = None


@dataclass(frozen=True)
class FailedGate:
    """A blocking (ERROR severity) asset check that evaluated to failed in a run."""

    run_id: str
    asset: str
    check: str
    description: str | None
    failed_at: datetime | None

    @property
    def key(self) -> str:
        return f"gate:{self.run_id}:{self.asset}:{self.check}"


@dataclass(frozen=True)
class FailedRun:
    run_id: str
    job: str
    message: str | None
    failed_at: datetime | None

    @property
    def key(self) -> str:
        return f"run:{self.run_id}"


def finding_key(
    report_id: str | None,
    check: str,
    metric: str | None,
    applicant: str | None,
    message: str | None,
    scope: str | None = None,
) -> str:
    """Stable across extractor versions and rebuilds: the same finding re-extracted is not alerted again.

    Built from report, check, metric, applicant and a hash of the message (the message carries the values
    compared, so a changed figure is a new finding). ``scope`` separates cross-report findings that have no
    single report. Hashed so the state file stays compact whatever the message length.
    """
    message_hash = hashlib.sha256((message or "").encode("utf-8")).hexdigest()
    parts = [scope or "", report_id or "", check, metric or "", applicant or "", message_hash]
    return "finding:" + hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:40]


def findings_from_frame(frame: pd.DataFrame) -> list[FindingAlert]:
    """Findings from the lake dataset (sha256, check) or the warehouse table (report_id, check_id, scope)."""
    if frame.empty:
        return []
    check_column = "check_id" if "check_id" in frame.columns else "check"
    report_column = "report_id" if "report_id" in frame.columns else "sha256"
    missing = {check_column, report_column, "severity"} - set(frame.columns)
    if missing:
        raise ValueError(f"findings frame lacks columns {sorted(missing)}; has {sorted(frame.columns)}")
    alerts = []
    for row in frame.to_dict("records"):
        report_id, check = _text(row.get(report_column)), _text(row.get(check_column)) or "unknown"
        metric, applicant, message = (
            _text(row.get("metric")),
            _text(row.get("applicant")),
            _text(row.get("message")),
        )
        scope = _text(row.get("scope"))
        alerts.append(
            FindingAlert(
                key=finding_key(report_id, check, metric, applicant, message, scope),
                report_id=report_id,
                year=_integer(row.get("year")),
                agency=_text(row.get("agency")),
                check=check,
                metric=metric,
                applicant=applicant,
                severity=(_text(row.get("severity")) or "unknown").lower(),
                message=message,
                scope=scope,
            )
        )
    return alerts


def select_findings(findings: Iterable[FindingAlert], min_severity: str) -> list[FindingAlert]:
    threshold = severity_rank(min_severity)
    return [f for f in findings if severity_rank(f.severity) >= threshold]


@dataclass(frozen=True)
class Message:
    """One alert rendered for every channel kind."""

    subject: str
    text: str
    markdown: str
    slack: str
    payload: dict[str, Any]


@dataclass(frozen=True)
class FindingGroup:
    agency: str | None
    check: str
    severity: str  # the highest severity in the group
    findings: tuple[FindingAlert, ...]

    @property
    def reports(self) -> int:
        return len({f.report_id for f in self.findings})


@dataclass(frozen=True)
class DigestLimits:
    max_findings: int = 50
    messages_per_group: int = 3
    max_groups: int = 30


@dataclass(frozen=True)
class Digest:
    created_at: datetime
    findings: tuple[FindingAlert, ...] = ()
    failed_gates: tuple[FailedGate, ...] = ()
    failed_runs: tuple[FailedRun, ...] = ()
    limits: DigestLimits = field(default_factory=DigestLimits)

    @property
    def is_empty(self) -> bool:
        return not (self.findings or self.failed_gates or self.failed_runs)

    @property
    def keys(self) -> list[str]:
        """Every item this digest alerts (listed or only counted)."""
        items: list[str] = [f.key for f in self.findings]
        return items + [g.key for g in self.failed_gates] + [r.key for r in self.failed_runs]

    @cached_property
    def groups(self) -> list[FindingGroup]:
        """(agency, check) groups, most severe and largest first."""
        by_group: dict[tuple[str | None, str], list[FindingAlert]] = {}
        for finding in self.findings:
            by_group.setdefault((finding.agency, finding.check), []).append(finding)
        groups = [
            FindingGroup(
                agency=agency,
                check=check,
                severity=max((f.severity for f in members), key=severity_rank),
                findings=tuple(sorted(members, key=_finding_order)),
            )
            for (agency, check), members in by_group.items()
        ]
        return sorted(
            groups, key=lambda g: (-severity_rank(g.severity), -len(g.findings), g.agency or "", g.check)
        )

    def listed(self) -> list[tuple[FindingGroup, list[FindingAlert]]]:
        """The groups and sample findings shown, within the digest limits."""
        budget = self.limits.max_findings
        shown: list[tuple[FindingGroup, list[FindingAlert]]] = []
        for group in self.groups[: self.limits.max_groups]:
            samples = list(group.findings[: min(self.limits.messages_per_group, budget)])
            budget -= len(samples)
            shown.append((group, samples))
        return shown

    @property
    def subject(self) -> str:
        parts = []
        if self.findings:
            parts.append(_plural(len(self.findings), "new finding"))
        if self.failed_gates:
            parts.append(_plural(len(self.failed_gates), "failed gate"))
        if self.failed_runs:
            parts.append(_plural(len(self.failed_runs), "failed run"))
        return "[xxgk] 数据质量提醒 · " + (", ".join(parts) or "nothing new")

    def summary_line(self) -> str:
        reports = len({f.report_id for f in self.findings})
        severities = _severity_counts(self.findings)
        by_severity = ", ".join(f"{n} {s}" for s, n in severities.items())
        findings = f"{_plural(len(self.findings), 'new finding')} on {_plural(reports, 'report')}"
        if by_severity:
            findings += f" ({by_severity})"
        return (
            f"{findings} · {_plural(len(self.failed_gates), 'failed gate')} · "
            f"{_plural(len(self.failed_runs), 'failed run')}"
        )

    def render(self) -> Message:
        return Message(
            subject=self.subject,
            text=self._render_text(),
            markdown=self._render_markup(_MARKDOWN),
            slack=self._render_markup(_SLACK),
            payload=self.to_json(),
        )

    def to_json(self) -> dict[str, Any]:
        listed = {(group.agency, group.check): samples for group, samples in self.listed()}
        return {
            "kind": DIGEST_PAYLOAD_KIND,
            "version": 1,
            "created_at": self.created_at.astimezone(UTC).isoformat(),
            "summary": {
                "findings": len(self.findings),
                "reports": len({f.report_id for f in self.findings}),
                "by_severity": _severity_counts(self.findings),
                "failed_gates": len(self.failed_gates),
                "failed_runs": len(self.failed_runs),
            },
            "finding_groups": [
                {
                    "agency": group.agency,
                    "check": group.check,
                    "severity": group.severity,
                    "count": len(group.findings),
                    "reports": group.reports,
                    "findings": [_finding_json(f) for f in listed.get((group.agency, group.check), [])],
                }
                for group in self.groups
            ],
            "failed_gates": [
                {
                    "run_id": g.run_id,
                    "asset": g.asset,
                    "check": g.check,
                    "description": g.description,
                    "failed_at": _iso(g.failed_at),
                }
                for g in self.failed_gates
            ],
            "failed_runs": [
                {"run_id": r.run_id, "job": r.job, "message": r.message, "failed_at": _iso(r.failed_at)}
                for r in self.failed_runs
            ],
        }

    def _render_text(self) -> str:
        lines = [f"xxgk data-quality alert · {_stamp(self.created_at)}", self.summary_line(), ""]
        if self.failed_runs:
            lines.append("Failed runs")
            lines += [f"- {_run_line(r)}" for r in self.failed_runs] + [""]
        if self.failed_gates:
            lines.append("Failed gates (ERROR-severity checks; blocking ones stop publication)")
            lines += [f"- {_gate_line(g)}" for g in self.failed_gates] + [""]
        if self.findings:
            lines.append("New findings by agency and check")
            for group, samples in self.listed():
                lines.append(f"- {_group_line(group, bold=lambda s: s, code=lambda s: s)}")
                lines += [f"    {_finding_line(f)}" for f in samples]
                if len(group.findings) > len(samples):
                    lines.append(f"    … and {len(group.findings) - len(samples)} more")
            lines += _hidden_groups_line(self)
            lines += ["", _QUERY_HINT]
        return "\n".join(lines).rstrip() + "\n"

    def _render_markup(self, style: _Markup) -> str:
        lines = [
            style.heading(f"xxgk data-quality alert · {_stamp(self.created_at)}"),
            self.summary_line(),
            "",
        ]
        if self.failed_runs:
            lines.append(style.subheading("Failed runs"))
            lines += [f"- {_run_line(r, code=style.code)}" for r in self.failed_runs] + [""]
        if self.failed_gates:
            lines.append(style.subheading("Failed gates (ERROR-severity checks)"))
            lines += [f"- {_gate_line(g, code=style.code)}" for g in self.failed_gates] + [""]
        if self.findings:
            lines.append(style.subheading("New findings by agency and check"))
            for group, samples in self.listed():
                lines.append(f"- {_group_line(group, bold=style.bold, code=style.code)}")
                lines += [f"> {_finding_line(f)}" for f in samples]
                if len(group.findings) > len(samples):
                    lines.append(f"> … and {len(group.findings) - len(samples)} more")
            lines += _hidden_groups_line(self)
            lines += ["", _QUERY_HINT]
        return "\n".join(style.escape(line) for line in lines).rstrip() + "\n"


def build_digest(
    findings: Sequence[FindingAlert],
    failed_gates: Sequence[FailedGate],
    failed_runs: Sequence[FailedRun],
    *,
    created_at: datetime,
    limits: DigestLimits | None = None,
) -> Digest:
    return Digest(
        created_at=created_at,
        findings=tuple(findings),
        failed_gates=tuple(sorted(failed_gates, key=lambda g: (_iso(g.failed_at) or "", g.key))),
        failed_runs=tuple(sorted(failed_runs, key=lambda r: (_iso(r.failed_at) or "", r.key))),
        limits=limits or DigestLimits(),
    )


def build_test_message(created_at: datetime) -> Message:
    """What `xxgk alerts test` sends: proves the channel works, and that UTF-8 survives the trip."""
    text = (
        f"xxgk alerts test · {_stamp(created_at)}\n"
        "This is a test message from the xxgk-warehouse alerts (政府信息公开工作年度报告数据质量提醒).\n"
        "No action is needed.\n"
    )
    return Message(
        subject="[xxgk] alerts test · 测试消息",
        text=text,
        markdown="### xxgk alerts test\n" + text.split("\n", 1)[1],
        slack="*xxgk alerts test*\n" + text.split("\n", 1)[1],
        payload={
            "kind": TEST_PAYLOAD_KIND,
            "version": 1,
            "created_at": created_at.astimezone(UTC).isoformat(),
            "text": text,
        },
    )


@dataclass(frozen=True)
class _Markup:
    """Markdown (WeCom, DingTalk) and Slack mrkdwn differ in bold and headings only, as far as we use them."""

    heading_prefix: str  # "" means: no headings in this syntax, use bold
    bold_marker: str
    escapes_html: bool = False  # Slack reads &, < and > as control characters (links, mentions)

    def escape(self, line: str) -> str:
        if not self.escapes_html:
            return line
        quote, rest = ("> ", line[2:]) if line.startswith("> ") else ("", line)
        return quote + rest.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")

    def heading(self, text: str) -> str:
        return f"{self.heading_prefix}{text}" if self.heading_prefix else self.bold(text)

    def subheading(self, text: str) -> str:
        return f"#{self.heading_prefix}{text}" if self.heading_prefix else self.bold(text)

    def bold(self, text: str) -> str:
        return f"{self.bold_marker}{text}{self.bold_marker}"

    @staticmethod
    def code(text: str) -> str:
        return f"`{text}`"


_MARKDOWN = _Markup(heading_prefix="### ", bold_marker="**")
_SLACK = _Markup(heading_prefix="", bold_marker="*", escapes_html=True)
_QUERY_HINT = 'All findings, once published: xxgk query "select * from findings order by agency, check_id"'


def _plain(text: str) -> str:
    return text


def _group_line(group: FindingGroup, *, bold: Any, code: Any) -> str:
    count = _plural(len(group.findings), "finding")
    if group.reports > 1:
        count += f" on {group.reports} reports"
    return f"{bold(group.agency or '(agency unknown)')} · {code(group.check)} · {count} ({group.severity})"


def _finding_line(finding: FindingAlert) -> str:
    where = " ".join(
        part
        for part in (
            str(finding.year) if finding.year is not None else None,
            "/".join(p for p in (finding.metric, finding.applicant) if p) or None,
        )
        if part
    )
    message = " ".join((finding.message or "(no message)").split())
    return f"{where}: {message}" if where else message


def _gate_line(gate: FailedGate, code: Any = _plain) -> str:
    line = f"{code(gate.asset)} · {code(gate.check)} failed in run {code(gate.run_id[:8])}"
    if gate.failed_at is not None:
        line += f" at {_stamp(gate.failed_at)}"
    return line + (f": {_first_line(gate.description)}" if gate.description else "")


def _run_line(run: FailedRun, code: Any = _plain) -> str:
    line = f"{code(run.job)} run {code(run.run_id[:8])} failed"
    if run.failed_at is not None:
        line += f" at {_stamp(run.failed_at)}"
    return line + (f": {_first_line(run.message)}" if run.message else "")


def _hidden_groups_line(digest: Digest) -> list[str]:
    hidden = digest.groups[digest.limits.max_groups :]
    if not hidden:
        return []
    count = sum(len(g.findings) for g in hidden)
    return [f"… and {_plural(len(hidden), 'more group')} ({_plural(count, 'finding')})"]


def _finding_json(finding: FindingAlert) -> dict[str, Any]:
    return {
        "key": finding.key,
        "report_id": finding.report_id,
        "year": finding.year,
        "metric": finding.metric,
        "applicant": finding.applicant,
        "severity": finding.severity,
        "message": finding.message,
        "scope": finding.scope,
    }


def _finding_order(finding: FindingAlert) -> tuple[Any, ...]:
    return (-(finding.year or 0), finding.report_id or "", finding.metric or "", finding.applicant or "")


def _severity_counts(findings: Iterable[FindingAlert]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for finding in findings:
        counts[finding.severity] = counts.get(finding.severity, 0) + 1
    order = {s: i for i, s in enumerate(reversed(SEVERITIES))}
    return dict(sorted(counts.items(), key=lambda item: (order.get(item[0], -1), item[0])))


def _plural(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _first_line(text: str) -> str:
    line = text.strip().splitlines()[0] if text.strip() else ""
    return line if len(line) <= 300 else line[:299] + "…"


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def _iso(moment: datetime | None) -> str | None:
    return moment.astimezone(UTC).isoformat() if moment is not None else None


def _text(value: Any) -> str | None:
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    text = str(value)
    return text if text else None


def _integer(value: Any) -> int | None:
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    return int(value)


def published_findings(paths: ProjectPaths) -> pd.DataFrame:
    """Findings as analysts see them: the published warehouse holds per-report and cross-report findings;
    before the first publication only the lake's per-report findings exist."""
    if not paths.warehouse_file.exists():
        return lake.read_dataset(paths, "findings")
    con = connect_published(paths)
    try:
        return con.execute(read_sql("alert_findings")).df()
    finally:
        con.close()
