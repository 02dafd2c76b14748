"""Filter values that no person would send must be refused, never a server error
(found by schemathesis: ``renewal_within=2.6e16`` overflowed a date in the filter)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("value", ["2.61628614472848e+16", "-1", "3651"])
def test_renewal_within_out_of_range_is_a_400(manager_client, value) -> None:
    response = manager_client.get(f"/api/v1/opportunities/?renewal_within={value}")

    assert response.status_code == 400
    assert "renewal_within" in response.json()


def test_renewal_within_in_range_is_accepted(manager_client) -> None:
    assert manager_client.get("/api/v1/opportunities/?renewal_within=3650").status_code == 200
