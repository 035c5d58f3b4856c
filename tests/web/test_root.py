import httpx
import pytest

pytestmark = pytest.mark.anyio


async def test_root_answers_with_the_served_versions(client: httpx.AsyncClient) -> None:
    response = await client.get("/v26.0/")
    assert response.status_code == 200
    assert response.json()["api_versions"] == {"oldest": "v20.0", "latest": "v26.0"}
    assert response.headers["x-fb-trace-id"]
    assert response.headers["facebook-api-version"] == "v26.0"
