"""The alerts TOML: the shipped example parses, secrets come from the given mapping, mistakes fail loudly."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipelines.alerts import (
    AlertsConfigError,
    DingTalkChannel,
    SmtpChannel,
    WebhookChannel,
    load_alerts_config,
    parse_alerts_config,
)

REPO_ROOT = Path(__file__).resolve().parents[2]
EXAMPLE_SECRETS = {
    "XXGK_SMTP_PASSWORD": "pw",
    "XXGK_WEBHOOK_AUTH": "Bearer t0ken",
    "XXGK_WECOM_WEBHOOK": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k",
    "XXGK_DINGTALK_WEBHOOK": "https://oapi.dingtalk.com/robot/send?access_token=t",
    "XXGK_DINGTALK_SECRET": "SECabc",
    "XXGK_SLACK_WEBHOOK": "https://hooks.slack.com/services/T/B/X",
}


def test_example_config_parses_with_secrets_from_the_mapping() -> None:
    config = load_alerts_config(REPO_ROOT / "alerts.example.toml", EXAMPLE_SECRETS)
    by_name = {c.name: c for c in config.channels}
    assert list(by_name) == [
        "data-team-mail",
        "ops-webhook",
        "wecom-quality",
        "dingtalk-quality",
        "slack-data",
    ]
    mail = by_name["data-team-mail"]
    assert isinstance(mail, SmtpChannel)
    assert (mail.security, mail.port, mail.password, mail.recipients) == (
        "starttls",
        587,
        "pw",
        ("data-team@example.org",),
    )
    assert config.channel_min_severity(mail) == "error"
    hook = by_name["ops-webhook"]
    assert isinstance(hook, WebhookChannel)
    assert hook.headers == {"X-Source": "xxgk", "Authorization": "Bearer t0ken"}
    assert config.channel_min_severity(hook) == "warning"
    ding = by_name["dingtalk-quality"]
    assert isinstance(ding, DingTalkChannel) and ding.secret == "SECabc"
    assert "SECabc" not in repr(config) and "pw'" not in repr(mail)  # secrets stay out of reprs and logs


@pytest.mark.parametrize(
    ("toml", "error"),
    [
        (
            '[[channels]]\ntype = "smtp"\nhost = "h"\nfrom = "a@b"\nto = ["c@d"]\npassword_env = "NOPE"',
            "NOPE is not set",
        ),
        (
            '[[channels]]\ntype = "slack"\nurl = "https://x"\npasword_env = "X"',
            "unknown keys ['pasword_env']",
        ),
        ('[[channels]]\ntype = "teams"\nurl = "https://x"', "`type` must be one of"),
        (
            '[[channels]]\ntype = "wecom"\nurl = "https://x"\nurl_env = "X"',
            "exactly one of `url` or `url_env`",
        ),
        ('[[channels]]\ntype = "wecom"\nurl = "ftp://x"', "must start with http"),
        (
            '[[channels]]\ntype = "slack"\nurl = "https://a"\n[[channels]]\ntype = "slack"\nurl = "https://b"',
            "unique",
        ),
        ('min_severity = "critical"', "severity must be one of"),
        ("retry_attempts = 0", "positive integer"),
        (
            '[[channels]]\ntype = "smtp"\nhost = "h"\nfrom = "a@b"\nto = ["c@d"]\nstarttls = true\nssl = true',
            "not both",
        ),
        ("channels = [", "not valid TOML"),
    ],
)
def test_mistakes_are_errors(toml: str, error: str) -> None:
    with pytest.raises(AlertsConfigError) as raised:
        parse_alerts_config(toml, {})
    assert error in str(raised.value)


def test_a_config_without_channels_is_valid_and_empty() -> None:
    assert parse_alerts_config("", {}).channels == ()
