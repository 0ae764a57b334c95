"""`xxgk alerts test` sends one test message to every configured channel and fails if any channel did."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from pipelines.cli import app
from tests.alerts.conftest import SECRETS, SmtpServer, WebhookServer, channels_toml


@pytest.fixture
def config_file(
    tmp_path: Path, smtp_server: SmtpServer, webhooks: WebhookServer, monkeypatch: pytest.MonkeyPatch
) -> Path:
    for name, value in SECRETS.items():
        monkeypatch.setenv(name, value)
    path = tmp_path / "alerts.toml"
    path.write_text(channels_toml(smtp_server, webhooks, retry_attempts=2), encoding="utf-8")
    return path


def test_alerts_test_hits_every_channel(
    config_file: Path, smtp_server: SmtpServer, webhooks: WebhookServer
) -> None:
    result = CliRunner().invoke(app, ["alerts", "test", "--config", str(config_file)])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines == [
        "mail (smtp): ok (1 attempt)",
        "hook (webhook): ok (1 attempt)",
        "wecom (wecom): ok (1 attempt)",
        "dingtalk (dingtalk): ok (1 attempt)",
        "slack (slack): ok (1 attempt)",
    ]
    (mail,) = smtp_server.messages
    assert mail["Subject"] == "[xxgk] alerts test · 测试消息"
    assert "政府信息公开工作年度报告数据质量提醒" in mail.get_content()
    assert webhooks.posts_to("/webhook")[0].json()["kind"] == "xxgk.alerts.test"
    assert "xxgk alerts test" in webhooks.posts_to("/wecom")[0].json()["markdown"]["content"]
    assert {"timestamp", "sign"} <= set(webhooks.posts_to("/dingtalk")[0].query)
    assert webhooks.posts_to("/slack")[0].json()["text"] == "[xxgk] alerts test · 测试消息"


def test_alerts_test_exits_nonzero_when_a_channel_fails(
    config_file: Path, webhooks: WebhookServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    webhooks.down.add("/slack")
    monkeypatch.setenv("XXGK_ALERTS", str(config_file))  # the default when --config is not given
    result = CliRunner().invoke(app, ["alerts", "test"])
    assert result.exit_code == 1
    assert "slack (slack): FAILED: POST http://127.0.0.1:" in result.stdout and "HTTP 500" in result.stdout
    assert "(2 attempts)" in result.stdout
    assert "mail (smtp): ok (1 attempt)" in result.stdout


def test_alerts_test_without_config_says_how_to_give_one(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("XXGK_ALERTS", raising=False)
    result = CliRunner().invoke(app, ["alerts", "test"])
    assert result.exit_code == 2
    assert "XXGK_ALERTS" in result.output
