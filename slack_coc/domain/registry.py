"""Imports every model module so that `Base.metadata` is complete (Alembic, create_all).

A new model module adds one import line here.
"""

from slack_coc.domain import (
    decision_models,
    mail_models,
    models,
    process_models,
    relay_models,
    rota_models,
    sanction_models,
)
from slack_coc.queues import outbox_models, request_models, sweep_models

__all__ = [
    "decision_models",
    "mail_models",
    "models",
    "outbox_models",
    "process_models",
    "relay_models",
    "request_models",
    "rota_models",
    "sanction_models",
    "sweep_models",
]
