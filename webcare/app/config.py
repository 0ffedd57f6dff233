"""``app:`` section of the config: SLAs, sessions, login limits, replies and canned responses.

Read by ``webcare serve`` (issue 6). Canned responses are templates per language with
``{author}``, ``{brand}``, ``{topic}``, ``{agent}`` and ``{incident}`` variables; unknown
variables stay as written. Replies are recorded as dry-runs unless ``reply.dry_run`` is off and
the platform has credentials (``reply.platforms``, see :mod:`webcare.app.replies`).
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from ingest.reply_config import ReplyPlatforms

DEFAULT_CANNED = {
    "en": {
        "acknowledge": "Hi {author}, sorry about the trouble with {topic}. We are on it — "
                       "please send us a DM with your customer number. ^{agent}",
        "outage": "Hi {author}, we know about the disruption and our engineers are working on "
                  "it ({incident}). We will post an update here. ^{agent}",
        "thanks": "Thanks a lot for the kind words, {author}! ^{agent}",
    },
    "nl": {
        "acknowledge": "Hoi {author}, vervelend dat je last hebt van {topic}. We kijken ernaar — "
                       "stuur ons een DM met je klantnummer. ^{agent}",
        "outage": "Hoi {author}, we weten van de storing en werken aan een oplossing "
                  "({incident}). We houden je hier op de hoogte. ^{agent}",
    },
    "fi": {
        "acknowledge": "Hei {author}, pahoittelemme ongelmaa ({topic}). Lähetäthän meille "
                       "yksityisviestin asiakasnumerollasi. ^{agent}",
        "outage": "Hei {author}, tiedämme häiriöstä ja korjaamme sitä ({incident}). ^{agent}",
    },
}


class LoginLimit(BaseModel):
    model_config = ConfigDict(extra="forbid")

    max_failures: int = Field(default=5, ge=1, le=1000, description="per user and per address")
    window_seconds: int = Field(default=900, ge=1, le=86_400)


class ReplyConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    dry_run: bool = Field(default=True, description="record replies without sending them")
    platforms: ReplyPlatforms = Field(
        default_factory=ReplyPlatforms, description="where each platform's reply credentials "
        "are (env/secret files); a platform without them replies in dry-run")


class AppConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sla_minutes: dict[Literal["critical", "high", "medium", "low"], int] = Field(
        default_factory=lambda: {"critical": 15, "high": 60, "medium": 240, "low": 1440},
        description="time to first reply per urgency")
    clock: Literal["auto", "wall", "latest_post"] = Field(
        default="auto", description="'auto': the newest post's time when the store holds only "
        "posts older than a day (a replay), else the wall clock")
    session_hours: float = Field(default=12.0, gt=0, le=24 * 30)
    token_days: int = Field(default=90, ge=1, le=3650, description="API token lifetime")
    secure_cookies: Literal["auto", "always", "never"] = Field(
        default="auto", description="'auto': Secure when the request came over https")
    forwarded_allow_ips: list[str] = Field(
        default_factory=list, description="reverse proxies (TLS terminators) whose "
        "X-Forwarded-Proto/-For the app trusts, as addresses or networks ('*': any); "
        "[] = none: behind a proxy, https logins are refused as a foreign origin")
    login_limit: LoginLimit = Field(default_factory=LoginLimit)
    reply: ReplyConfig = Field(default_factory=ReplyConfig)
    canned: dict[str, dict[str, str]] = Field(default_factory=lambda: DEFAULT_CANNED)
    queue_limit: int = Field(default=200, ge=1, le=5000)
