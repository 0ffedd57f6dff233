"""Alert destinations: Slack and Microsoft Teams incoming webhooks, e-mail over SMTP, and a
generic signed JSON webhook.

:func:`build_senders` is called once when the pipeline (or ``webcare alerts``) starts: it
resolves every alert's secrets (:func:`schemas.plumbing.credentials.secret`, held as
``SecretStr`` and never logged) and raises :class:`AlertSetupError` naming the alert and the
variable when one is missing. The delivery loop then calls ``sender.send(event, key)`` once per
outbox entry; it returns a note (or None) on success and raises
:class:`schemas.plumbing.http.Retryable` (try later: 429, 5xx, timeouts, refused connections,
SMTP 4xx) or :class:`schemas.plumbing.http.Rejected` (dead: other 4xx, SMTP 5xx, SMTP auth
failures). HTTP goes through :mod:`schemas.plumbing.http`; mail through ``smtplib``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import smtplib
import ssl
from datetime import datetime, timezone
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Protocol

from pydantic import SecretStr

from schemas.errors import WebcareError
from schemas.plumbing import http
from schemas.plumbing.credentials import MissingCredential, secret
from webcare.alerts.config import EmailAlert, SlackAlert, TeamsAlert, WebhookAlert
from webcare.alerts.events import AlertEvent

SIGNATURE_HEADER = "X-Webcare-Signature"
TIMESTAMP_HEADER = "X-Webcare-Timestamp"
IDEMPOTENCY_HEADER = "X-Webcare-Idempotency-Key"
MAIL_POLICY = policy.SMTP.clone(max_line_length=998)  # headers unfolded (keys stay one token)
SLACK_ICON = {"critical": ":red_circle:", "high": ":large_orange_circle:",
              "medium": ":large_yellow_circle:", "low": ":large_blue_circle:",
              "info": ":white_check_mark:"}
TEAMS_COLOR = {"critical": "Attention", "high": "Attention", "medium": "Warning",
               "low": "Default", "info": "Good"}
CARD_COLOR = {"critical": "D70000", "high": "FF8C00", "medium": "FFD700", "low": "1E90FF",
              "info": "2E8B57"}


class AlertSetupError(WebcareError, ValueError):
    """An alert cannot be built: a secret is missing or unreadable (names alert and variable)."""


class Sender(Protocol):
    name: str

    def send(self, event: AlertEvent, key: str) -> str | None: ...


def idempotency_key(alert: str, event_key: str) -> str:
    """The header-safe key a receiver dedupes on: the same alert and event, the same key."""
    return hashlib.sha256(f"{alert}|{event_key}".encode("utf-8")).hexdigest()


# -- Slack ---------------------------------------------------------------------------------
def slack_payload(event: AlertEvent) -> dict:
    """Slack's incoming-webhook body: ``text`` (notifications, fallback) and Block Kit blocks."""
    icon = SLACK_ICON.get(event.severity, "")
    blocks: list[dict] = [
        {"type": "header", "text": {"type": "plain_text", "text": _cut(event.title, 150),
                                    "emoji": True}},
        {"type": "section", "text": {"type": "mrkdwn",
                                     "text": _cut(f"{icon} {_slack_escape(event.text)}", 3000)}}]
    if event.facts:
        blocks.append({"type": "section", "fields": [
            {"type": "mrkdwn", "text": _cut(f"*{_slack_escape(k)}*\n{_slack_escape(v)}", 2000)}
            for k, v in event.facts[:10]]})
    blocks.append({"type": "context", "elements": [
        {"type": "mrkdwn", "text": _cut(f"webcare · {event.event} · {event.subject}", 300)}]})
    return {"text": _cut(f"{icon} {_slack_escape(event.title)}", 3000), "blocks": blocks}


def _slack_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class SlackSender:
    def __init__(self, config: SlackAlert) -> None:
        self.config, self.name = config, config.name
        self._url = _secret(config.name, "url", config.url_env, config.url_file)

    def send(self, event: AlertEvent, key: str) -> str | None:
        _post(self._url, slack_payload(event), self.config.timeout)
        return None


# -- Microsoft Teams -------------------------------------------------------------------------
def teams_payload(event: AlertEvent, card: str = "adaptive") -> dict:
    """A Teams incoming-webhook message: an Adaptive Card in an attachment (Workflows
    webhooks), or the legacy Office 365 connector's MessageCard."""
    if card == "messagecard":
        section = {"activityTitle": event.event, "activitySubtitle": event.subject,
                   "facts": [{"name": k, "value": v} for k, v in event.facts]}
        return {"@type": "MessageCard", "@context": "https://schema.org/extensions",
                "summary": _cut(event.title, 200), "themeColor": CARD_COLOR.get(event.severity,
                                                                                "808080"),
                "title": event.title, "text": event.text, "sections": [section]}
    body: list[dict] = [
        {"type": "TextBlock", "text": event.title, "weight": "Bolder", "size": "Medium",
         "wrap": True, "color": TEAMS_COLOR.get(event.severity, "Default")},
        {"type": "TextBlock", "text": event.text, "wrap": True}]
    if event.facts:
        body.append({"type": "FactSet", "facts": [{"title": k, "value": v}
                                                  for k, v in event.facts]})
    body.append({"type": "TextBlock", "text": f"webcare · {event.event} · {event.subject}",
                 "isSubtle": True, "size": "Small", "wrap": True})
    content = {"$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
               "type": "AdaptiveCard", "version": "1.4", "body": body}
    return {"type": "message", "attachments": [
        {"contentType": "application/vnd.microsoft.card.adaptive", "contentUrl": None,
         "content": content}]}


class TeamsSender:
    def __init__(self, config: TeamsAlert) -> None:
        self.config, self.name = config, config.name
        self._url = _secret(config.name, "url", config.url_env, config.url_file)

    def send(self, event: AlertEvent, key: str) -> str | None:
        _post(self._url, teams_payload(event, self.config.card), self.config.timeout)
        return None


# -- generic webhook -------------------------------------------------------------------------
def sign(body: bytes, key: SecretStr) -> str:
    """``sha256=<hex HMAC-SHA256 of the exact body bytes>``."""
    digest = hmac.new(key.get_secret_value().encode("utf-8"), body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def webhook_body(alert: str, event: AlertEvent, key: str, timestamp: int) -> bytes:
    """The signed JSON body; ``timestamp`` equals the ``X-Webcare-Timestamp`` header, so the
    signature covers it (a receiver rejects old timestamps to stop replays)."""
    return json.dumps({
        "alert": alert, "idempotency_key": key, "event": event.event, "event_key": event.key,
        "subject": event.subject, "at": event.at.isoformat(), "severity": event.severity,
        "title": event.title, "text": event.text, "facts": dict(event.facts),
        "data": event.data, "timestamp": timestamp}, sort_keys=True).encode("utf-8")


class WebhookSender:
    def __init__(self, config: WebhookAlert, clock=None) -> None:
        self.config, self.name = config, config.name
        self._url = (SecretStr(config.url) if config.url else
                     _secret(config.name, "url", config.url_env, config.url_file))
        self._key = _secret(config.name, "secret", config.secret_env, config.secret_file)
        self._clock = clock or (lambda: datetime.now(timezone.utc))

    def send(self, event: AlertEvent, key: str) -> str | None:
        timestamp = int(self._clock().timestamp())
        data = webhook_body(self.name, event, key, timestamp)
        headers = {**self.config.headers, SIGNATURE_HEADER: sign(data, self._key),
                   TIMESTAMP_HEADER: str(timestamp), IDEMPOTENCY_HEADER: key,
                   "Content-Type": "application/json"}
        http.check(http.request("POST", self._url.get_secret_value(), headers,
                                timeout=self.config.timeout, data=data))
        return None


# -- e-mail ----------------------------------------------------------------------------------
def email_message(config: EmailAlert, event: AlertEvent, key: str) -> EmailMessage:
    """A plain-text mail; ``Message-ID`` derives from the idempotency key, so a resend is
    recognisable as the same message."""
    message = EmailMessage(policy=MAIL_POLICY)
    message["Subject"] = f"{config.subject_prefix} {event.title}".strip()[:250]
    message["From"] = config.sender
    message["To"] = ", ".join(config.to)
    message["Date"] = format_datetime(datetime.now(timezone.utc))
    message["Message-ID"] = f"<{key[:40]}@webcare.alerts>"
    message[IDEMPOTENCY_HEADER] = key
    message["X-Webcare-Event"] = event.event
    facts = "\n".join(f"{k}: {v}" for k, v in event.facts)
    message.set_content(f"{event.title}\n\n{event.text}\n\n{facts}\n\n"
                        f"-- webcare alert {config.name} ({event.event}, {event.subject})\n")
    return message


class EmailSender:
    def __init__(self, config: EmailAlert) -> None:
        self.config, self.name = config, config.name
        self._password = (_secret(config.name, "password", config.password_env,
                                  config.password_file)
                          if config.password_env or config.password_file else None)

    def send(self, event: AlertEvent, key: str) -> str | None:
        cfg = self.config
        message = email_message(cfg, event, key)
        try:
            with self._connect() as smtp:
                if cfg.security == "starttls":
                    smtp.starttls(context=ssl.create_default_context())
                    smtp.ehlo()
                if cfg.username:
                    password = self._password.get_secret_value() if self._password else ""
                    smtp.login(cfg.username, password)
                refused = smtp.send_message(message, cfg.sender, list(cfg.to))
        except smtplib.SMTPNotSupportedError as error:
            raise http.Rejected(0, str(error), f"SMTP {cfg.host}: {error}") from error
        except smtplib.SMTPRecipientsRefused as error:
            codes = [code for code, _ in error.recipients.values()]
            raise _smtp_verdict(min(codes), f"all recipients refused: {error.recipients}",
                                cfg.host) from error
        except smtplib.SMTPResponseException as error:  # auth, sender, data, 4xx/5xx replies
            detail = error.smtp_error.decode("utf-8", "replace") \
                if isinstance(error.smtp_error, bytes) else str(error.smtp_error)
            raise _smtp_verdict(error.smtp_code, detail, cfg.host) from error
        except (smtplib.SMTPException, OSError) as error:  # disconnects, refused, timeouts
            raise http.Retryable(f"SMTP {cfg.host}:{cfg.smtp_port}: "
                                 f"{type(error).__name__}: {error}") from error
        if refused:
            return f"refused by the server for: {', '.join(sorted(refused))}"
        return None

    def _connect(self) -> smtplib.SMTP:
        cfg = self.config
        if cfg.security == "ssl":
            return smtplib.SMTP_SSL(cfg.host, cfg.smtp_port, timeout=cfg.timeout,
                                    context=ssl.create_default_context())
        return smtplib.SMTP(cfg.host, cfg.smtp_port, timeout=cfg.timeout)


def _smtp_verdict(code: int, detail: str, host: str) -> Exception:
    """SMTP 4xx: try later; 5xx (and 535 auth failures): dead until someone fixes it."""
    message = f"SMTP {host}: {code} {detail}"[:1000]
    if 400 <= code < 500:
        return http.Retryable(message, status=code)
    return http.Rejected(code, detail[:http.MAX_BODY_CHARS], message)


# -- building --------------------------------------------------------------------------------
SENDERS = {"slack": SlackSender, "teams": TeamsSender, "email": EmailSender,
           "webhook": WebhookSender}


def build_sender(config) -> Sender:
    return SENDERS[config.type](config)


def build_senders(configs: list) -> dict[str, Sender]:
    """Senders by alert name; raises :class:`AlertSetupError` for the first missing secret."""
    return {config.name: build_sender(config) for config in configs}


def _secret(alert: str, what: str, env: str | None, file: str | None) -> SecretStr:
    try:
        value = secret(env, file)
    except MissingCredential as error:
        raise AlertSetupError(f"alert {alert!r}: {what} missing: {error}") from error
    assert value is not None
    return value


def _post(url: SecretStr, payload: dict, timeout: float) -> None:
    """POST JSON to a secret URL; errors never show the URL (it is the credential)."""
    try:
        http.check(http.request("POST", url.get_secret_value(), {}, payload, timeout=timeout))
    except http.Retryable as error:
        raise http.Retryable(_hide(str(error), url), error.retry_after, error.status) from None
    except http.Rejected as error:
        raise http.Rejected(error.status, error.body, _hide(str(error), url)) from None


def _hide(text: str, url: SecretStr) -> str:
    return text.replace(url.get_secret_value(), "<webhook url>")


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"
