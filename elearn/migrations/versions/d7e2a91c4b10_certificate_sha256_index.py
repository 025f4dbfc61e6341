"""certificates found by their file's SHA-256

/verify finds the certificate an uploaded file is by its SHA-256: an index, so that the
lookup never reads the stored PDFs.

Revision ID: d7e2a91c4b10
Revises: d1a7e0c5b2f4
Create Date: 2026-12-01 23:10:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'd7e2a91c4b10'
down_revision = 'd1a7e0c5b2f4'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('certificate', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_certificate_sha256'), ['sha256'], unique=False)


def downgrade():
    with op.batch_alter_table('certificate', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_certificate_sha256'))
