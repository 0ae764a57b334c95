"""One alerts pass: per channel, what it has not received yet → one digest → delivery → state.

Channels are delivered in parallel threads (a dead endpoint's timeouts and retries must not delay the
others, and the sensor tick has a time limit); the state is written from the calling thread only.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from pipelines.alerts.channels import Attempt, DeliveryResult, channel_type, deliver_with_retry
from pipelines.alerts.config import AlertsConfig, Channel
from pipelines.alerts.digest import (
    Digest,
    DigestLimits,
    FailedGate,
    FailedRun,
    FindingAlert,
    Message,
    build_digest,
    build_test_message,
    select_findings,
)
from pipelines.alerts.state import AlertState

Deliver = Callable[[Channel, Message], DeliveryResult]


@dataclass(frozen=True)
class ChannelOutcome:
    channel: str
    digest: Digest | None  # None: nothing new for this channel
    result: DeliveryResult | None

    @property
    def status(self) -> str:
        if self.result is None:
            return "nothing new"
        return "sent" if self.result.ok else "failed"


def deliver_alerts(
    config: AlertsConfig,
    state: AlertState,
    findings: Sequence[FindingAlert],
    failed_gates: Sequence[FailedGate],
    failed_runs: Sequence[FailedRun],
    *,
    now: datetime | None = None,
    deliver: Deliver | None = None,
) -> list[ChannelOutcome]:
    """Send each channel one digest of the items it has not yet accepted; record what it accepted."""
    now = now or datetime.now(UTC)
    deliver = deliver or _deliverer(config)
    limits = DigestLimits(config.max_findings, config.messages_per_group, config.max_groups)
    alerted = state.alerted_keys()
    digests: dict[str, Digest] = {}
    for channel in config.channels:
        done = alerted.get(channel.name, set())
        digest = build_digest(
            [f for f in select_findings(findings, config.channel_min_severity(channel)) if f.key not in done],
            [g for g in failed_gates if g.key not in done],
            [r for r in failed_runs if r.key not in done],
            created_at=now,
            limits=limits,
        )
        if not digest.is_empty:
            digests[channel.name] = digest
    results = _deliver_in_parallel(
        [(c, digests[c.name].render()) for c in config.channels if c.name in digests], deliver
    )
    for name, result in results.items():
        state.log_delivery(_delivery_record("digest", result, digests[name].subject, digests[name]))
    state.mark_alerted({name: digests[name].keys for name, result in results.items() if result.ok}, at=now)
    return [
        ChannelOutcome(channel=c.name, digest=digests.get(c.name), result=results.get(c.name))
        for c in config.channels
    ]


def send_test_messages(
    config: AlertsConfig, *, state: AlertState | None = None, deliver: Deliver | None = None
) -> list[DeliveryResult]:
    """`xxgk alerts test`: one test message to every configured channel; logged when a state is given."""
    message = build_test_message(datetime.now(UTC))
    results = _deliver_in_parallel([(c, message) for c in config.channels], deliver or _deliverer(config))
    if state is not None:
        for result in results.values():
            state.log_delivery(_delivery_record("test", result, message.subject))
    return [results[c.name] for c in config.channels]


def _deliverer(config: AlertsConfig) -> Deliver:
    def deliver(channel: Channel, message: Message) -> DeliveryResult:
        return deliver_with_retry(
            channel,
            message,
            attempts=config.retry_attempts,
            backoff_seconds=config.retry_backoff_seconds,
            timeout_seconds=config.timeout_seconds,
        )

    return deliver


def _deliver_in_parallel(jobs: list[tuple[Channel, Message]], deliver: Deliver) -> dict[str, DeliveryResult]:
    if not jobs:
        return {}
    with ThreadPoolExecutor(max_workers=len(jobs), thread_name_prefix="xxgk-alert") as pool:
        futures = {
            channel.name: pool.submit(_deliver_safely, deliver, channel, message) for channel, message in jobs
        }
        return {name: future.result() for name, future in futures.items()}


def _deliver_safely(deliver: Deliver, channel: Channel, message: Message) -> DeliveryResult:
    """An unexpected exception in one channel is a failed delivery of that channel, not a lost tick."""
    started = datetime.now(UTC)
    try:
        return deliver(channel, message)
    except Exception as exc:  # recorded in the delivery log and retried on the next tick
        return DeliveryResult(
            channel=channel.name,
            channel_type=channel_type(channel),
            attempts=(Attempt(at=started, error=f"{type(exc).__name__}: {exc}"),),
        )


def _delivery_record(
    kind: str, result: DeliveryResult, subject: str, digest: Digest | None = None
) -> dict[str, Any]:
    record: dict[str, Any] = {
        "at": datetime.now(UTC).isoformat(),
        "kind": kind,
        "channel": result.channel,
        "channel_type": result.channel_type,
        "ok": result.ok,
        "subject": subject,
        "attempts": [{"at": a.at.isoformat(), "error": a.error} for a in result.attempts],
    }
    if digest is not None:
        record |= {
            "findings": len(digest.findings),
            "failed_gates": len(digest.failed_gates),
            "failed_runs": len(digest.failed_runs),
        }
    return record
