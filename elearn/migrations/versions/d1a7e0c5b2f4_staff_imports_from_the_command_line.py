"""staff imports from the command line

staff_import.uploaded_by_id may be empty: an import run with `flask people import` is kept
like an upload (so both write the same audit trail), and no person uploaded it.

Revision ID: d1a7e0c5b2f4
Revises: c43051f33f2c
Create Date: 2026-12-01 23:20:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd1a7e0c5b2f4'
down_revision = 'c43051f33f2c'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('staff_import', schema=None) as batch_op:
        batch_op.alter_column('uploaded_by_id', existing_type=sa.Integer(), nullable=True)


def downgrade():
    with op.batch_alter_table('staff_import', schema=None) as batch_op:
        batch_op.alter_column('uploaded_by_id', existing_type=sa.Integer(), nullable=False)
