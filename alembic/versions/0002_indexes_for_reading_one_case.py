"""Indexes for reading one case's rows (what a person waits on when a case is opened).

- `case.retaliation_of_id`: opening a case asks which later cases name it as the
  retaliated-against case. Without an index that read scanned every case: 2.2 ms of the
  15 ms an "Open case" cost at 10,000 cases on SQLite, growing with the cases.
- `deadline (case_id, met_at)`: a card's or Home's next deadline and the overdue flag read
  the open deadlines of given cases. SQLite read them through the sweep's `(met_at, due_at)`
  index, that is every open deadline of every case (about 7 ms for an App Home at 1,000
  open cases).

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
    op.create_index("ix_deadline_case_open", "deadline", ["case_id", "met_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_deadline_case_open", table_name="deadline")
    op.drop_index(op.f("ix_case_retaliation_of_id"), table_name="case")
