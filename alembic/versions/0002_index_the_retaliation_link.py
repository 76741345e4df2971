"""Index the retaliation link (`case.retaliation_of_id`).

Opening a case asks which later cases name it as the retaliated-against case. Without an
index that read scanned every case: 2.2 ms of the 15 ms an "Open case" costs at 10,000 cases
on SQLite, and growing with the number of cases.

Revision ID: 0002
Revises: 0001
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(op.f("ix_case_retaliation_of_id"), "case", ["retaliation_of_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_case_retaliation_of_id"), table_name="case")
