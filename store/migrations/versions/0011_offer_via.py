"""offer.via: how an offer reaches its scientist — pushed to a bound chat account ("push") or
phoned by local staff from the console ("staff", the scientist has no chat account)

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0011'
down_revision: str | None = '0010'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('offer') as batch:
        batch.add_column(sa.Column('via', sqlmodel.sql.sqltypes.AutoString(length=16),
                                   nullable=False, server_default='push'))


def downgrade() -> None:
    with op.batch_alter_table('offer') as batch:
        batch.drop_column('via')
