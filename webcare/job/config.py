"""One YAML file configures the whole pipeline; a bad file fails at start with its key.

Components are chosen by ``type`` (discriminated unions of the config models: sources from
:mod:`ingest.registry`, stores from :mod:`sinks.store.config`, ticket sinks from
:mod:`sinks.tickets.registry`). Loaded once by every CLI command (``--config``, default: the
shipped ``default_config.yaml``). Only config models are imported here, never the components
they configure (classifiers, source clients, database drivers): loading a config stays light,
and each component is imported when it is built from its section.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Annotated, Union

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from bus.config import KafkaConfig
from classify.config import BrandConfig, ClassifyConfig
from ingest.config import ReplayConfig
from ingest.registry import LIVE_CONFIGS
from route.incidents import IncidentConfig
from route.rules import RouteConfig
from schemas.errors import WebcareError
from sinks.store.config import PostgresStoreConfig, SqliteStoreConfig
from sinks.tickets.registry import TicketList
from webcare.alerts.config import AlertList
from webcare.app.config import AppConfig
from webcare.desk.config import TeamsConfig
from webcare.knowledge.config import KnowledgeConfig
from webcare.outbound.config import OutboundConfig

SourceConfig = Annotated[Union[(ReplayConfig, *LIVE_CONFIGS)], Field(discriminator="type")]
StoreConfig = Annotated[SqliteStoreConfig | PostgresStoreConfig, Field(discriminator="type")]


class ConfigError(WebcareError, ValueError):
    """The config file is missing, not YAML, or fails validation (message names file and key)."""


class PipelineConfig(BaseModel):
    """How records are batched (in-process runner and Kafka ingest) and what ``webcare run``
    serves: a batch is handled at ``batch_size`` records or ``max_wait`` seconds after its
    first record was read, whichever comes first (the Kafka workers poll at most that long)."""

    model_config = ConfigDict(extra="forbid")

    batch_size: int = Field(default=256, ge=1, le=100_000, description="posts per sink flush")
    max_wait: float = Field(default=0.2, gt=0, le=60,
                            description="seconds a read record waits for its batch to fill")
    metrics_port: int | None = Field(default=None, ge=0, le=65535,
                                     description="webcare run: /healthz and /metrics; None = off")


class WebcareConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    brands: list[BrandConfig] = Field(default_factory=list)
    classify: ClassifyConfig = Field(default_factory=ClassifyConfig)
    route: RouteConfig = Field(default_factory=RouteConfig)
    incidents: IncidentConfig = Field(default_factory=IncidentConfig)
    store: StoreConfig = Field(default_factory=SqliteStoreConfig)
    sources: list[SourceConfig] = Field(default_factory=list)
    pipeline: PipelineConfig = Field(default_factory=PipelineConfig)
    kafka: KafkaConfig = Field(default_factory=KafkaConfig)
    tickets: TicketList = Field(default_factory=list)  # ticket sinks via the outbox (issue 5)
    app: AppConfig = Field(default_factory=AppConfig)  # webcare serve (issue 6)
    outbound: OutboundConfig = Field(default_factory=OutboundConfig)  # status posts (issue 8)
    knowledge: KnowledgeConfig = Field(default_factory=KnowledgeConfig)  # FAQs (issue 8)
    alerts: AlertList = Field(default_factory=list)  # on-call alerts via an outbox (issue 21)
    teams: TeamsConfig = Field(default_factory=TeamsConfig)  # teams, SLA policies (issue 21)

    @model_validator(mode="after")
    def _share_brands(self) -> "WebcareConfig":
        if self.brands and not self.classify.brands:
            self.classify = self.classify.model_copy(update={"brands": self.brands})
        return self


def default_config_path() -> Path:
    return Path(str(resources.files("webcare.job").joinpath("default_config.yaml")))


def load_config(path: Path | None = None) -> WebcareConfig:
    """Read and validate a config file; raises :class:`ConfigError` naming file, key, reason."""
    path = path or default_config_path()
    try:
        data = yaml.safe_load(path.read_text("utf-8")) or {}
    except OSError as error:
        raise ConfigError(f"{path}: cannot read config: {error.strerror or error}") from error
    except yaml.YAMLError as error:
        raise ConfigError(f"{path}: not valid YAML: {error}") from error
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: the top level must be a mapping, got {type(data).__name__}")
    try:
        return WebcareConfig.model_validate(data)
    except ValidationError as error:
        raise ConfigError(_describe(path, error)) from error


def _describe(path: Path, error: ValidationError) -> str:
    lines = [f"{path}: invalid config ({error.error_count()} problem(s))"]
    for problem in error.errors():
        key = ".".join(str(part) for part in problem["loc"]) or "(top level)"
        lines.append(f"  {key}: {problem['msg']}")
    return "\n".join(lines)
