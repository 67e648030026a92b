"""All configuration in one place: read from the environment and `.env` (see `.env.example`)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", env_ignore_empty=True
    )

    kejiyun_home: Path = Field(default=Path.home() / ".kejiyun", alias="KEJIYUN_HOME")
    database_url: str | None = Field(default=None, alias="DATABASE_URL")
    chroma_url: str | None = Field(default=None, alias="CHROMA_URL")
    redis_url: str | None = Field(default=None, alias="REDIS_URL")
    redis_namespace: str = Field(default="kejiyun", alias="REDIS_NAMESPACE")
    # How long a worker may hold a webhook update while processing it; if it dies mid-turn,
    # the re-delivered update is processed once this lease has run out.
    dedup_lease_seconds: float = Field(default=120.0, alias="DEDUP_LEASE_SECONDS", gt=0)
    embedding_model: str | None = Field(default=None, alias="EMBEDDING_MODEL")

    llm_base_url: str | None = Field(default=None, alias="LLM_BASE_URL")
    llm_model: str | None = Field(default=None, alias="LLM_MODEL")
    llm_api_key: str | None = Field(default=None, alias="LLM_API_KEY")
    # Time budget of one LLM call (seconds: all of it, and the connection alone), the most
    # tokens it may write (the server stops there instead of generating on after we gave up),
    # and the circuit breaker: after LLM_BREAKER_FAILURES failures or timeouts in a row the
    # LLM is skipped for LLM_BREAKER_COOLDOWN seconds, then one call probes it.
    llm_timeout: float = Field(default=8.0, alias="LLM_TIMEOUT", gt=0, le=120)
    # all LLM calls of one chat turn together (a question inside a form may need two): a call
    # starts only while half its timeout still fits
    llm_turn_budget: float = Field(default=12.0, alias="LLM_TURN_BUDGET", gt=0, le=300)
    llm_connect_timeout: float = Field(default=2.0, alias="LLM_CONNECT_TIMEOUT", gt=0, le=30)
    llm_max_tokens: int = Field(default=400, alias="LLM_MAX_TOKENS", ge=16, le=4096)
    llm_breaker_failures: int = Field(default=3, alias="LLM_BREAKER_FAILURES", ge=1, le=100)
    llm_breaker_cooldown: float = Field(default=60.0, alias="LLM_BREAKER_COOLDOWN", gt=0)

    telegram_bot_token: str | None = Field(default=None, alias="TELEGRAM_BOT_TOKEN")
    telegram_api_base_url: str | None = Field(default=None, alias="TELEGRAM_API_BASE_URL")
    telegram_webhook_secret: str | None = Field(default=None, alias="TELEGRAM_WEBHOOK_SECRET")
    telegram_webhook_url: str | None = Field(default=None, alias="TELEGRAM_WEBHOOK_URL")

    wechat_token: str | None = Field(default=None, alias="WECHAT_TOKEN")
    wechat_app_id: str | None = Field(default=None, alias="WECHAT_APP_ID")
    wechat_app_secret: str | None = Field(default=None, alias="WECHAT_APP_SECRET")
    wechat_aes_key: str | None = Field(default=None, alias="WECHAT_AES_KEY")
    wechat_api_base_url: str | None = Field(default=None, alias="WECHAT_API_BASE_URL")

    # Seconds the WeChat callback waits for the answer before acknowledging with "success"
    # and sending the answer through the customer-service API instead (WeChat allows five).
    # Service accounts may push customer-service messages; subscription accounts may not, so
    # a late answer waits until the user writes again ("回复任意文字获取答案").
    wechat_can_push: bool = Field(default=True, alias="WECHAT_CAN_PUSH")
    wechat_reply_timeout: float = Field(default=0.8, alias="WECHAT_REPLY_TIMEOUT", gt=0, le=4.5)

    # Rows per transaction when importing; large enough to amortise commits, small enough
    # that memory stays flat on million-row files.
    import_batch_size: int = Field(default=2000, alias="KEJIYUN_IMPORT_BATCH_SIZE", ge=1)

    # Matching and offers (matching/): how many scientists get an offer at once, how long an
    # offer stays open, the most offers one need may send in all, and how many new offers one
    # scientist may receive per 7 days (so a few famous experts do not get every need).
    match_offers_per_round: int = Field(default=3, alias="MATCH_OFFERS_PER_ROUND", ge=1, le=20)
    offer_ttl_hours: float = Field(default=48.0, alias="OFFER_TTL_HOURS", gt=0)
    # the requester is asked to rate this many days after an accept if neither side said
    # the service was done (0: only when the expert says so)
    rate_after_days: float = Field(default=14.0, alias="RATE_AFTER_DAYS", ge=0)
    match_max_offers: int = Field(default=9, alias="MATCH_MAX_OFFERS", ge=1, le=100)
    # well-matched scientists without a chat account: phoned by local staff (console tasks),
    # at most this many open at once per need
    match_staff_calls: int = Field(default=1, alias="MATCH_STAFF_CALLS", ge=0, le=20)
    match_weekly_cap: int = Field(default=5, alias="MATCH_WEEKLY_CAP", ge=1)
    # Outbox delivery: attempts before a message is marked dead, first back-off in seconds.
    outbox_max_attempts: int = Field(default=8, alias="OUTBOX_MAX_ATTEMPTS", ge=1)
    outbox_backoff_seconds: float = Field(default=30.0, alias="OUTBOX_BACKOFF_SECONDS", gt=0)

    # Observability: log lines as text (terminals) or JSON Lines (log collectors); how long
    # /metrics reuses the figures it reads from the store, so scrapes do not load the DB.
    log_format: Literal["text", "json"] = Field(default="text", alias="LOG_FORMAT")
    metrics_cache_seconds: float = Field(default=15.0, alias="METRICS_CACHE_SECONDS", ge=0)

    # Backpressure (web/limits.py). Rates are "N/second|minute|hour", per browser and per IP
    # for the web chat and per key for the partner API; shared through Redis when configured.
    # A process runs at most CHAT_MAX_RUNNING web-chat turns at once with CHAT_MAX_WAITING
    # more in line (each waiting at most CHAT_MAX_WAIT_SECONDS); beyond that, 503 at once.
    chat_rate_limit: str = Field(default="20/minute", alias="CHAT_RATE_LIMIT")
    chat_ip_rate_limit: str = Field(default="300/minute", alias="CHAT_IP_RATE_LIMIT")
    api_rate_limit: str = Field(default="600/minute", alias="API_RATE_LIMIT")
    chat_max_running: int = Field(default=4, alias="CHAT_MAX_RUNNING", ge=1, le=64)
    chat_max_waiting: int = Field(default=16, alias="CHAT_MAX_WAITING", ge=0)
    chat_max_wait_seconds: float = Field(default=15.0, alias="CHAT_MAX_WAIT_SECONDS", gt=0)

    @field_validator("chat_rate_limit", "chat_ip_rate_limit", "api_rate_limit")
    @classmethod
    def _rate(cls, v: str) -> str:
        from limits import parse

        try:
            parse(v)
        except ValueError as exc:
            raise ValueError(f"速率应写成 N/minute 之类 (expected e.g. 20/minute): {v!r}") from exc
        return v

    @field_validator("kejiyun_home")
    @classmethod
    def _expand_home(cls, v: Path) -> Path:
        return v.expanduser()

    @property
    def effective_database_url(self) -> str:
        if self.database_url:
            return normalise_database_url(self.database_url)
        return f"sqlite:///{self.kejiyun_home / 'kejiyun.db'}"


def normalise_database_url(url: str) -> str:
    """Accept the common `postgresql://` / `postgres://` spellings and use psycopg 3."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
