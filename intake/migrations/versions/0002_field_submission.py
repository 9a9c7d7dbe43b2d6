"""fields.submission_id: the fax a completed certificate's field was read from

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""
from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('fields', schema=None) as batch_op:
        batch_op.add_column(sa.Column('submission_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_fields_submission_id_submissions', 'submissions',
                                    ['submission_id'], ['id'])


def downgrade() -> None:
    with op.batch_alter_table('fields', schema=None) as batch_op:
        batch_op.drop_constraint('fk_fields_submission_id_submissions', type_='foreignkey')
        batch_op.drop_column('submission_id')
