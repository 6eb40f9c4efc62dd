"""The generation of each brand's rollups, which the dashboard's answer cache is keyed on.

``rollup_generations`` holds, per brand, a random 62-bit number that ``confiance.store.rollups``
draws anew in the transaction of every refresh or rebuild that touches the brand's rollups.
A cached dashboard block is served only while the generations it was computed under are
still current (one primary-key lookup per request). Random rather than counted, so that a
brand id reused after a deletion never meets the generation of its predecessor. Every brand
already stored gets one here; a brand without a row has no rollups yet.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23
"""

from __future__ import annotations

import secrets

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "rollup_generations",
        sa.Column("brand_id", ID, nullable=False, autoincrement=False),
        sa.Column("generation", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["brand_id"], ["brands.id"],
                                name="fk_rollup_generations_brand_id_brands",
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("brand_id", name="pk_rollup_generations"),
    )
    conn = op.get_bind()
    brand_ids = conn.execute(sa.text("SELECT id FROM brands")).scalars().all()
    if brand_ids:
        conn.execute(sa.text("INSERT INTO rollup_generations (brand_id, generation) "
                             "VALUES (:brand_id, :generation)"),
                     [{"brand_id": brand_id, "generation": secrets.randbits(62)}
                      for brand_id in brand_ids])


def downgrade() -> None:
    op.drop_table("rollup_generations")
