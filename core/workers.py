"""Names `kejiyun worker` and the web processes share in Redis: the workers' heartbeat (read by
`/readyz` and `/metrics`) and the arq queue (its depth is a metric)."""

from __future__ import annotations

from core.settings import Settings

HEARTBEAT_TTL = 30  # seconds: a worker silent for longer counts as gone


def heartbeat_key(settings: Settings) -> str:
    return f"{settings.redis_namespace}:worker:heartbeat"


def arq_prefix(settings: Settings) -> str:
    """arq's job keys are global in Redis: every name of ours carries the namespace."""
    return f"{settings.redis_namespace}:arq"


def queue_name(settings: Settings) -> str:
    return f"{arq_prefix(settings)}:queue"
