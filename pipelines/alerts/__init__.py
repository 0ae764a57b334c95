"""Data-quality alerts: digests of new findings, failed gates and failed runs, delivered to e-mail and
webhook channels, each item once per channel (see assets/alerts.py for the sensor that drives this).

No Dagster here: the sensor turns Dagster's run and check records into :class:`FailedRun` and
:class:`FailedGate` values and calls :func:`deliver_alerts`.
"""

from pipelines.alerts.channels import DeliveryError, DeliveryResult, deliver_with_retry, dingtalk_signed_url
from pipelines.alerts.config import (
    AlertsConfig,
    AlertsConfigError,
    Channel,
    DingTalkChannel,
    SlackChannel,
    SmtpChannel,
    WebhookChannel,
    WeComChannel,
    load_alerts_config,
    parse_alerts_config,
)
from pipelines.alerts.digest import (
    Digest,
    FailedGate,
    FailedRun,
    FindingAlert,
    Message,
    build_digest,
    finding_key,
    findings_from_frame,
    published_findings,
)
from pipelines.alerts.dispatch import ChannelOutcome, deliver_alerts, send_test_messages
from pipelines.alerts.state import AlertState

__all__ = [
    "AlertState",
    "AlertsConfig",
    "AlertsConfigError",
    "Channel",
    "ChannelOutcome",
    "DeliveryError",
    "DeliveryResult",
    "Digest",
    "DingTalkChannel",
    "FailedGate",
    "FailedRun",
    "FindingAlert",
    "Message",
    "SlackChannel",
    "SmtpChannel",
    "WeComChannel",
    "WebhookChannel",
    "build_digest",
    "deliver_alerts",
    "deliver_with_retry",
    "dingtalk_signed_url",
    "finding_key",
    "findings_from_frame",
    "published_findings",
    "load_alerts_config",
    "parse_alerts_config",
    "send_test_messages",
]
