import httpx
import pytest

pytestmark = pytest.mark.anyio


async def test_root_answers_with_the_served_versions(client: httpx.AsyncClient) -> None:
    response = await client.get("/v26.0/")
    assert response.status_code == 200
    assert response.json()["api_versions"] == {"oldest": "v20.0", "latest": "v26.0"}
    assert response.headers["x-fb-trace-id"]


async def test_an_old_version_gets_the_deprecated_version_error(client: httpx.AsyncClient) -> None:
    response = await client.get("/v12.0/")
    body = response.json()["error"]
    assert response.status_code == 400
    assert body["code"] == 2635
    assert "v26.0" in body["message"]
    assert body["fbtrace_id"] == response.headers["x-fb-trace-id"]
