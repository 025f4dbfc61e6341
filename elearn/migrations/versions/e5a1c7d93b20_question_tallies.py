"""question tallies: anonymous totals of first-attempt answers for the understanding pages

Revision ID: e5a1c7d93b20
Revises: d7e2a91c4b10
Create Date: 2026-12-01 23:20:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'e5a1c7d93b20'
down_revision = 'd7e2a91c4b10'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'question_tally',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('cycle_id', sa.Integer(), nullable=False),
        sa.Column('unit_id', sa.String(length=100), nullable=False),
        sa.Column('question_id', sa.String(length=100), nullable=False),
        sa.Column('content_fingerprint', sa.String(length=64), nullable=False),
        sa.Column('school_id', sa.Integer(), nullable=False),
        sa.Column('role_staff', sa.Integer(), nullable=False),
        sa.Column('role_leader', sa.Integer(), nullable=False),
        sa.Column('role_governor', sa.Integer(), nullable=False),
        sa.Column('response', sa.String(length=2000), nullable=False),
        sa.Column('mark', sa.Integer(), nullable=False),
        sa.Column('answers', sa.Integer(), nullable=False),
        sa.Column('score_sum', sa.Integer(), nullable=False),
        sa.Column('score_sq_sum', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_question_tally')),
        sa.UniqueConstraint('cycle_id', 'unit_id', 'question_id', 'content_fingerprint',
                            'school_id', 'role_staff', 'role_leader', 'role_governor',
                            'response', 'mark', name='uq_question_tally_group'),
    )
    op.create_index(op.f('ix_question_tally_cycle_id'), 'question_tally', ['cycle_id'],
                    unique=False)
    op.create_table(
        'tallied_attempt',
        sa.Column('attempt_id', sa.Integer(), nullable=False),
        sa.Column('batch', sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint('attempt_id', name=op.f('pk_tallied_attempt')),
    )
    op.create_index(op.f('ix_tallied_attempt_batch'), 'tallied_attempt', ['batch'],
                    unique=False)


def downgrade():
    op.drop_index(op.f('ix_tallied_attempt_batch'), table_name='tallied_attempt')
    op.drop_table('tallied_attempt')
    op.drop_index(op.f('ix_question_tally_cycle_id'), table_name='question_tally')
    op.drop_table('question_tally')
