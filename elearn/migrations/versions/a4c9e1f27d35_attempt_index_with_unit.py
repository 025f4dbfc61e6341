"""the attempts' cycle and person index carries the unit too

The HR dashboard asks, per person, which tracks their attempts in the cycle have begun.
With the unit in the index the database answers from the index alone, already in person
order (that read: 100 -> 74 ms at 20,000 people on SQLite).

Revision ID: a4c9e1f27d35
Revises: f3b8d2c61a47
Create Date: 2026-12-04 02:40:00.000000

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = 'a4c9e1f27d35'
down_revision = 'f3b8d2c61a47'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_attempt_cycle_person_unit', 'attempt',
                    ['cycle_id', 'person_id', 'unit_id'], unique=False)
    op.drop_index('ix_attempt_cycle_person', table_name='attempt')


def downgrade():
    op.create_index('ix_attempt_cycle_person', 'attempt', ['cycle_id', 'person_id'],
                    unique=False)
    op.drop_index('ix_attempt_cycle_person_unit', table_name='attempt')
