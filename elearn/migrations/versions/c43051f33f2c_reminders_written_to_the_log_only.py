"""reminders written to the log only

reminder_log.logged_only: True when no mail server was set up, so the reminder was only
written to the server's log. Existing rows are taken as sent (false).

Revision ID: c43051f33f2c
Revises: 97b82529d429
Create Date: 2026-11-25 23:44:21.613315

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c43051f33f2c'
down_revision = '97b82529d429'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('reminder_log', schema=None) as batch_op:
        batch_op.add_column(sa.Column('logged_only', sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade():
    with op.batch_alter_table('reminder_log', schema=None) as batch_op:
        batch_op.drop_column('logged_only')
