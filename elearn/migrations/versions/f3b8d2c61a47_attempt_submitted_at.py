"""attempts say on their own row when they were submitted

An answer is saved on PostgreSQL in one statement that writes only while the attempt is
still open. That statement may wait for a submit holding the attempt's row, and once it
has waited it sees only that row as the submit left it, not the result the submit added:
so the row itself records the submission.

Revision ID: f3b8d2c61a47
Revises: e5a1c7d93b20
Create Date: 2026-12-02 19:45:00.000000

"""
import sqlalchemy as sa
from alembic import op

import elearn.models.base

# revision identifiers, used by Alembic.
revision = 'f3b8d2c61a47'
down_revision = 'e5a1c7d93b20'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('attempt', schema=None) as batch_op:
        batch_op.add_column(sa.Column('submitted_at', elearn.models.base.UTCDateTime(timezone=True),
                                      nullable=True))
    op.execute("UPDATE attempt SET submitted_at = (SELECT attempt_result.submitted_at "
               "FROM attempt_result WHERE attempt_result.attempt_id = attempt.id)")


def downgrade():
    # Not batch mode: on SQLite that copies the table, which the answers' foreign key to it
    # refuses; SQLite (3.35 and later) drops a column in place.
    op.drop_column('attempt', 'submitted_at')
