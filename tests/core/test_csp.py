"""The Content-Security-Policy: our own origin only, no inline script or style, no eval."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize("path", ["/login/", "/healthz", "/api/v1/", "/no-such-page/"])
def test_every_response_carries_the_strict_policy(client, db, path):
    policy = client.get(path)["Content-Security-Policy"]
    directives = dict(
        (part.split()[0], part.split()[1:]) for part in policy.split(";") if part.strip()
    )
    assert directives["default-src"] == ["'self'"]
    assert directives["script-src"] == ["'self'"]
    assert directives["style-src"] == ["'self'"]
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
