"""Users and their workspaces, as every authenticated request reads them."""

from __future__ import annotations

from sqlalchemy import Engine

from confiance.auth.roles import Role
from confiance.store import accounts, workspaces

PASSWORD = "une phrase de passe assez longue"


def test_a_user_and_their_workspaces_in_one_read(engine: Engine) -> None:
    with engine.begin() as conn:
        zeta, alpha = workspaces.ensure(conn, "zeta"), workspaces.ensure(conn, "alpha")
        ana = accounts.create_user(conn, "ana@example.com", PASSWORD, display_name="Ana")
        accounts.set_role(conn, ana, zeta, Role.OWNER)
        accounts.set_role(conn, ana, alpha, Role.VIEWER)
        solo = accounts.create_user(conn, "solo@example.com", PASSWORD)
    with engine.connect() as conn:
        found = accounts.get_with_memberships(conn, ana)
        assert found is not None
        user, joined = found
        assert user == accounts.get(conn, ana) and user.display_name == "Ana"
        assert joined == accounts.memberships_of(conn, ana)
        assert [(m.workspace, m.role) for m in joined] == [("alpha", Role.VIEWER),
                                                          ("zeta", Role.OWNER)]
        alone = accounts.get_with_memberships(conn, solo)
        assert alone is not None and alone[1] == [] and alone[0].email == "solo@example.com"
        assert accounts.get_with_memberships(conn, 10_000) is None
