"""Imports every model module of the process so that `Base.metadata` knows them (the queues'
models are added by `slack_coc.schema`, which Alembic and the runtime import).

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

__all__ = [
    "decision_models",
    "mail_models",
    "models",
    "process_models",
    "relay_models",
    "rota_models",
    "sanction_models",
]
