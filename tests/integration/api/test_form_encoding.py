"""A multipart form whose text field is not UTF-8 (a binary file sent as a plain field) is bad
input: 400 on every upload route, never a 500."""

from __future__ import annotations

from typing import Any

import pytest

BODY = (
    b'--B\r\nContent-Disposition: form-data; name="file"; filename="a.csv"\r\n\r\nemail\r\n'
    b'--B\r\nContent-Disposition: form-data; name="mapping"\r\n\r\n\x89PNG\r\n--B--\r\n'
)


@pytest.mark.parametrize(
    "path", ["/api/contacts/import", "/api/contacts/import/preview", "/api/assets", "/api/events/1/attendance"]
)
def test_a_form_field_that_is_not_utf8_is_refused(api: Any, path: str) -> None:
    response = api.post(path, content=BODY, headers={"content-type": "multipart/form-data; boundary=B"})
    assert response.status_code == 400, response.text
    assert "UTF-8" in response.json()["error"]["message"]
