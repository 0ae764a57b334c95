"""Acceptance: digests reach a real SMTP server and a real HTTP server with the right payloads, each item
once per channel; a channel that is down is retried, logged, not marked, and served when it is back."""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import UTC, datetime
from pathlib import Path

from pipelines.alerts import (
    AlertState,
    FailedGate,
    FailedRun,
    deliver_alerts,
    findings_from_frame,
    parse_alerts_config,
)
from pipelines.lake import read_dataset
from pipelines.paths import ProjectPaths
from tests.alerts.conftest import (
    DINGTALK_SECRET,
    SECRETS,
    SMTP_USER,
    SmtpServer,
    WebhookServer,
    channels_toml,
    finding_row,
    write_findings,
)

SHA_A, SHA_B = "a" * 64, "b" * 64
NOW = datetime(2025, 2, 1, 8, 30, tzinfo=UTC)


def _findings(paths: ProjectPaths):  # type: ignore[no-untyped-def]
    return findings_from_frame(read_dataset(paths, "findings"))


def _lake(tmp_path: Path) -> ProjectPaths:
    return write_findings(
        tmp_path / "data",
        [
            finding_row(
                SHA_A, "江东市教育局", "t3.identity.row_sum", "总计 12 ≠ 各列之和 11（自然人 5 + 法人 6）"
            ),
            finding_row(
                SHA_A, "江东市教育局", "t3.identity.row_sum", "第二行 总计 3 ≠ 2", metric="t3.granted"
            ),
            finding_row(
                SHA_B,
                "西岭县人民政府",
                "narrative.identity.vs_table",
                "正文 申请 40 件 ≠ 表格 38 件",
                severity="error",
            ),
            finding_row(SHA_B, "西岭县人民政府", "extraction_doubt", "仅供参考", severity="info"),
        ],
    )


def test_digest_reaches_every_channel_once(
    tmp_path: Path, smtp_server: SmtpServer, webhooks: WebhookServer
) -> None:
    config = parse_alerts_config(channels_toml(smtp_server, webhooks), SECRETS)
    paths = _lake(tmp_path)
    state = AlertState(tmp_path / "data" / "alerts")
    gate = FailedGate(
        "run-0001-aaaa", "extracted/metric_values", "metric_values_structure", "2 unknown metric ids", NOW
    )
    run = FailedRun("run-0002-bbbb", "ingest_and_publish", "step warehouse__duckdb: 磁盘已满", NOW)

    outcomes = deliver_alerts(config, state, _findings(paths), [gate], [run], now=NOW)
    assert {o.channel: o.status for o in outcomes} == {
        "mail": "sent",
        "hook": "sent",
        "wecom": "sent",
        "dingtalk": "sent",
        "slack": "sent",
    }

    # E-mail: authenticated, UTF-8 subject and body, the info finding below min_severity left out.
    assert smtp_server.logins == [SMTP_USER]
    (mail,) = smtp_server.messages
    assert mail["Subject"] == "[xxgk] 数据质量提醒 · 3 new findings, 1 failed gate, 1 failed run"
    assert smtp_server.envelopes == [("xxgk@example.org", ["data-team@example.org", "ops@example.org"])]
    body = mail.get_content()
    assert "3 new findings on 2 reports (1 error, 2 warning)" in body
    assert "西岭县人民政府 · narrative.identity.vs_table · 1 finding (error)" in body
    assert "2021 t3.received.new/natural_person: 总计 12 ≠ 各列之和 11（自然人 5 + 法人 6）" in body
    assert "extracted/metric_values · metric_values_structure failed in run run-0001" in body
    assert (
        "ingest_and_publish run run-0002 failed at 2025-02-01 08:30 UTC: step warehouse__duckdb: 磁盘已满"
        in body
    )
    assert "仅供参考" not in body
    assert body.index("西岭县人民政府") < body.index("江东市教育局")  # the error group comes first

    # Generic webhook: the JSON digest, with its configured header.
    (hook,) = webhooks.posts_to("/webhook")
    assert hook.headers["x-source"] == "xxgk-test"
    assert hook.headers["content-type"].startswith("application/json")
    payload = hook.json()
    assert payload["kind"] == "xxgk.alerts.digest"
    assert payload["summary"] == {
        "findings": 3,
        "reports": 2,
        "by_severity": {"error": 1, "warning": 2},
        "failed_gates": 1,
        "failed_runs": 1,
    }
    groups = {(g["agency"], g["check"]): g for g in payload["finding_groups"]}
    row_sum = groups[("江东市教育局", "t3.identity.row_sum")]
    assert row_sum["count"] == 2 and row_sum["reports"] == 1
    assert {f["message"] for f in row_sum["findings"]} == {
        "总计 12 ≠ 各列之和 11（自然人 5 + 法人 6）",
        "第二行 总计 3 ≠ 2",
    }
    assert payload["failed_gates"][0]["check"] == "metric_values_structure"
    assert payload["failed_runs"][0]["message"] == "step warehouse__duckdb: 磁盘已满"

    # WeCom: markdown robot message, key kept in the query.
    (wecom,) = webhooks.posts_to("/wecom")
    assert wecom.query == {"key": "wecom-key"}
    assert wecom.json()["msgtype"] == "markdown"
    assert "**江东市教育局** · `t3.identity.row_sum`" in wecom.json()["markdown"]["content"]

    # DingTalk: signed — the sign is base64(HMAC-SHA256(secret, "timestamp\nsecret")) of the sent timestamp.
    (ding,) = webhooks.posts_to("/dingtalk")
    assert ding.query["access_token"] == "ding-token"
    timestamp = ding.query["timestamp"]
    expected = base64.b64encode(
        hmac.new(
            DINGTALK_SECRET.encode(), f"{timestamp}\n{DINGTALK_SECRET}".encode(), hashlib.sha256
        ).digest()
    ).decode()
    assert ding.query["sign"] == expected
    assert abs(int(timestamp) - datetime.now(UTC).timestamp() * 1000) < 60_000
    assert ding.json()["msgtype"] == "markdown"
    assert ding.json()["markdown"]["title"] == mail["Subject"]
    assert "西岭县人民政府" in ding.json()["markdown"]["text"]

    # Slack: fallback text plus mrkdwn sections.
    (slack,) = webhooks.posts_to("/slack")
    body_json = slack.json()
    assert body_json["text"] == mail["Subject"]
    assert body_json["blocks"][0]["type"] == "section" and body_json["blocks"][0]["text"]["type"] == "mrkdwn"
    assert "*江东市教育局*" in "\n".join(b["text"]["text"] for b in body_json["blocks"])

    # Second pass, nothing new: nothing is sent anywhere.
    again = deliver_alerts(config, state, _findings(paths), [gate], [run], now=NOW)
    assert {o.status for o in again} == {"nothing new"}
    assert len(smtp_server.messages) == 1 and len(webhooks.posts) == 4

    # A new finding (and a re-extraction of the old ones under a new extractor version) → only the new one.
    write_findings(
        tmp_path / "data",
        [
            finding_row(
                SHA_A,
                "江东市教育局",
                "t3.identity.row_sum",
                "总计 12 ≠ 各列之和 11（自然人 5 + 法人 6）",
                extractor_version="2",
            ),
            finding_row(
                SHA_A,
                "江东市教育局",
                "t3.identity.row_sum",
                "第二行 总计 3 ≠ 2",
                metric="t3.granted",
                extractor_version="2",
            ),
            finding_row(
                SHA_A, "江东市教育局", "t4.identity.block_total", "复议 总计 5 ≠ 4", extractor_version="2"
            ),
        ],
    )
    third = deliver_alerts(config, state, _findings(paths), [gate], [run], now=NOW)
    assert {o.status for o in third} == {"sent"}
    latest = webhooks.posts_to("/webhook")[-1].json()
    assert latest["summary"]["findings"] == 1 and latest["summary"]["failed_gates"] == 0
    assert latest["finding_groups"][0]["check"] == "t4.identity.block_total"
    assert "1 new finding" in smtp_server.messages[-1]["Subject"]


def test_down_channel_is_retried_logged_and_served_later(
    tmp_path: Path, smtp_server: SmtpServer, webhooks: WebhookServer
) -> None:
    config = parse_alerts_config(channels_toml(smtp_server, webhooks, retry_attempts=3), SECRETS)
    paths = _lake(tmp_path)
    state = AlertState(tmp_path / "data" / "alerts")
    webhooks.down.add("/webhook")
    webhooks.refusing.add("/wecom")

    first = {o.channel: o for o in deliver_alerts(config, state, _findings(paths), [], [], now=NOW)}
    assert first["hook"].status == "failed" and first["wecom"].status == "failed"
    assert first["mail"].status == "sent"
    assert len(webhooks.posts_to("/webhook")) == 3  # a 500 is transient: retried within the tick
    assert len(webhooks.posts_to("/wecom")) == 1  # an errcode refusal is not retried within the tick
    failed_log = {r["channel"]: r for r in state.deliveries() if not r["ok"]}
    assert [a["error"] for a in failed_log["hook"]["attempts"]] == [
        f"POST http://{webhooks.url('').split('//')[1]}/…: HTTP 500: internal error"
    ] * 3
    assert "errcode=310000" in failed_log["wecom"]["attempts"][0]["error"]
    assert "wecom-key" not in state.delivery_log.read_text(encoding="utf-8")  # tokens stay out of logs
    alerted = state.alerted_keys()
    assert "hook" not in alerted and "wecom" not in alerted and len(alerted["mail"]) == 3

    # Still down: retried again next tick, nothing resent to the channels that already have it.
    deliver_alerts(config, state, _findings(paths), [], [], now=NOW)
    assert len(webhooks.posts_to("/webhook")) == 6 and len(smtp_server.messages) == 1

    webhooks.down.clear()
    webhooks.refusing.clear()
    recovered = {
        o.channel: o.status for o in deliver_alerts(config, state, _findings(paths), [], [], now=NOW)
    }
    assert recovered == {
        "mail": "nothing new",
        "hook": "sent",
        "wecom": "sent",
        "dingtalk": "nothing new",
        "slack": "nothing new",
    }
    assert webhooks.posts_to("/webhook")[-1].json()["summary"]["findings"] == 3
    assert {o.status for o in deliver_alerts(config, state, _findings(paths), [], [], now=NOW)} == {
        "nothing new"
    }


def test_unreachable_smtp_server_is_a_logged_failure(
    tmp_path: Path, smtp_server: SmtpServer, webhooks: WebhookServer
) -> None:
    toml = channels_toml(smtp_server, webhooks, retry_attempts=2).replace(
        f"port = {smtp_server.port}", "port = 1"
    )
    config = parse_alerts_config(toml, SECRETS)
    state = AlertState(tmp_path / "alerts")
    outcomes = {
        o.channel: o for o in deliver_alerts(config, state, _findings(_lake(tmp_path)), [], [], now=NOW)
    }
    result = outcomes["mail"].result
    assert result is not None and not result.ok and len(result.attempts) == 2
    assert "ConnectionRefusedError" in (result.error or "")
    assert "mail" not in state.alerted_keys()
