"""Every destination against a real receiver on 127.0.0.1 that checks its documented format."""

from __future__ import annotations

import json

import pytest

from schemas.plumbing.http import Rejected, Retryable
from tests.alerts.conftest import incident
from tests.alerts.receivers import (
    SlackReceiver,
    SmtpReceiver,
    TeamsReceiver,
    WebhookReceiver,
    adaptive_problems,
    slack_problems,
)
from tests.conftest import T0
from webcare.alerts import events as ev
from webcare.alerts.channels import (
    AlertSetupError,
    build_sender,
    idempotency_key,
    slack_payload,
    teams_payload,
)
from webcare.alerts.config import EmailAlert, SlackAlert, TeamsAlert, WebhookAlert

OPENED = ev.from_incident("opened", incident(), T0)
KEY = idempotency_key("oncall", OPENED.key)
pytestmark = [pytest.mark.integration,
              pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")]


def test_payloads_follow_the_documented_formats_even_for_long_hostile_text():
    long = ev.from_incident("opened", incident(brand="<!channel> & " + "x" * 400), T0)
    assert slack_problems(slack_payload(long)) == []
    payload = slack_payload(long)  # mrkdwn parts escaped: no mass mention
    assert "<!channel>" not in payload["text"] + json.dumps(payload["blocks"][1:])
    assert adaptive_problems(teams_payload(long)) == []


def test_slack_receives_text_and_blocks(monkeypatch):
    with SlackReceiver() as slack:
        monkeypatch.setenv("SLACK_WEBHOOK_URL", slack.url)
        sender = build_sender(SlackAlert(name="oncall", events=["incident.opened"]))
        sender.send(OPENED, KEY)
        [payload] = slack.accepted
        assert payload["text"].endswith(OPENED.title)
        assert payload["blocks"][0]["text"]["text"] == OPENED.title


def test_slack_errors_hide_the_url_and_map_to_retry_or_dead(monkeypatch):
    with SlackReceiver() as slack:
        monkeypatch.setenv("SLACK_WEBHOOK_URL", slack.url + "/T000/B000/secret-part")
        sender = build_sender(SlackAlert(name="oncall", events=["incident.opened"]))
        slack.faults = [(429, {"Retry-After": "7"}, "rate_limited"),
                        (404, {}, "no_service")]
        with pytest.raises(Retryable) as retry:
            sender.send(OPENED, KEY)
        assert retry.value.retry_after == 7.0
        with pytest.raises(Rejected) as dead:
            sender.send(OPENED, KEY)
        assert dead.value.status == 404
    monkeypatch.setenv("SLACK_WEBHOOK_URL", "http://127.0.0.1:9/T000/secret-part")
    with pytest.raises(Retryable) as refused:  # nothing listens: refused, try later
        build_sender(SlackAlert(name="oncall", events=["incident.opened"])).send(OPENED, KEY)
    assert "secret-part" not in str(refused.value)


@pytest.mark.parametrize("card", ["adaptive", "messagecard"])
def test_teams_receives_an_adaptive_card_or_a_messagecard(monkeypatch, card):
    with TeamsReceiver() as teams:
        monkeypatch.setenv("TEAMS_WEBHOOK_URL", teams.url)
        sender = build_sender(TeamsAlert(name="desk", events=["incident.opened"], card=card))
        sender.send(OPENED, KEY)
        [payload] = teams.accepted
        text = json.dumps(payload)
        assert OPENED.title in text and "Lumen Telecom" in text


def test_webhook_is_signed_timestamped_and_carries_the_idempotency_key(monkeypatch):
    monkeypatch.setenv("WEBCARE_ALERT_WEBHOOK_SECRET", "s3cret")
    with WebhookReceiver("s3cret") as hook:
        sender = build_sender(WebhookAlert(name="ops", url=hook.url, events=["incident.opened"]))
        sender.send(OPENED, KEY)
        sender.send(OPENED, KEY)  # a resend: the receiver recognises it
        assert len(hook.processed) == 1 and hook.duplicates == 1
        body = hook.processed[KEY]
        assert body["event"] == "incident.opened" and body["alert"] == "ops"
        assert body["data"]["incident"]["key"] == incident().key
    monkeypatch.setenv("WEBCARE_ALERT_WEBHOOK_SECRET", "wrong")
    with WebhookReceiver("s3cret") as hook:
        sender = build_sender(WebhookAlert(name="ops", url=hook.url, events=["incident.opened"]))
        with pytest.raises(Rejected) as dead:
            sender.send(OPENED, KEY)
        assert dead.value.status == 401


def test_email_over_smtp_with_login():
    with SmtpReceiver(users={"alerts": "pw"}) as smtp:
        import os
        os.environ["WC_TEST_SMTP_PASSWORD"] = "pw"
        try:
            config = EmailAlert.model_validate({
                "type": "email", "name": "mail", "events": ["incident.opened"],
                "host": "127.0.0.1", "port": smtp.port, "security": "none",
                "username": "alerts", "password_env": "WC_TEST_SMTP_PASSWORD",
                "from": "webcare@example.org", "to": ["oncall@example.org", "b@example.org"]})
            build_sender(config).send(OPENED, KEY)
            os.environ["WC_TEST_SMTP_PASSWORD"] = "wrong"
            with pytest.raises(Rejected) as dead:  # 535: dead until someone fixes it
                build_sender(config).send(OPENED, KEY)
            assert dead.value.status == 535
        finally:
            del os.environ["WC_TEST_SMTP_PASSWORD"]
    [(sender, rcpts, message)] = smtp.messages
    assert sender == "webcare@example.org" and rcpts == ["oncall@example.org", "b@example.org"]
    assert OPENED.title in message["Subject"]
    assert message["X-Webcare-Idempotency-Key"] == KEY
    assert message["Message-ID"] == f"<{KEY[:40]}@webcare.alerts>"
    assert "Lumen Telecom" in message.get_payload()


def test_email_refusals_and_a_server_without_starttls():
    base = {"type": "email", "name": "mail", "events": ["incident.opened"],
            "host": "127.0.0.1", "from": "w@example.org", "to": ["x@example.org"]}
    with SmtpReceiver(reject_rcpt=450) as smtp:
        sender = build_sender(EmailAlert.model_validate({**base, "port": smtp.port,
                                                         "security": "none"}))
        with pytest.raises(Retryable):  # 4xx: try later
            sender.send(OPENED, KEY)
    with SmtpReceiver(reject_rcpt=550) as smtp:
        sender = build_sender(EmailAlert.model_validate({**base, "port": smtp.port,
                                                         "security": "none"}))
        with pytest.raises(Rejected):
            sender.send(OPENED, KEY)
        tls = build_sender(EmailAlert.model_validate({**base, "port": smtp.port}))
        with pytest.raises(Rejected, match="STARTTLS"):  # never falls back to plain text
            tls.send(OPENED, KEY)


def test_a_missing_secret_names_the_alert_and_the_variable(monkeypatch, tmp_path):
    monkeypatch.delenv("SLACK_WEBHOOK_URL", raising=False)
    monkeypatch.delenv("SLACK_WEBHOOK_URL_FILE", raising=False)
    with pytest.raises(AlertSetupError, match=r"'oncall'.*\$SLACK_WEBHOOK_URL"):
        build_sender(SlackAlert(name="oncall", events=["incident.opened"]))
    with pytest.raises(AlertSetupError, match=r"'mail'.*\$SMTP_PW"):
        build_sender(EmailAlert.model_validate({
            "type": "email", "name": "mail", "events": ["incident.opened"], "host": "h",
            "username": "u", "password_env": "SMTP_PW", "from": "a@b", "to": ["c@d"]}))
    secret_file = tmp_path / "url"
    secret_file.write_text("https://hooks.slack.com/services/T/B/zzz\n")
    sender = build_sender(SlackAlert(name="oncall", events=["incident.opened"],
                                     url_file=str(secret_file)))
    assert "zzz" not in repr(vars(sender))  # SecretStr
