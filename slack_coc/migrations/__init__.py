"""Alembic migrations, shipped inside the package so `serve` can upgrade an installed app."""
