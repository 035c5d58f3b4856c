"""Targeting search: ``GET /search?type=…&q=…`` and ``GET /act_<n>/targetingsearch?q=…``.

Graph's shapes (https://developers.facebook.com/docs/marketing-api/audiences/reference/targeting-search):
``adinterest`` answers ``{id, name, audience_size_lower_bound, audience_size_upper_bound, path,
topic}``; ``adgeolocation`` answers ``{key, name, type, country_code, …, supports_region,
supports_city}`` for the ``location_types`` asked (``country``, ``region``, ``city``; all three
by default); ``adcountry`` and ``adlocale`` answer countries and locales. ``targetingsearch`` on an
ad account searches the interests, each with ``type: "interests"``.

Our choice: a small fixed catalogue (below), searched by a case-insensitive match on the name; the
ids are adgate's own, stable across servers, and an ad set may use them in its targeting. ``limit``
caps the answer (25 by default, 500 at most), in one page.
"""

from __future__ import annotations

from typing import Any

from adgate.protocol.errors import GraphError
from adgate.protocol.params import Params

#: (id, name, topic, path after "Interests", lower bound of the audience)
INTERESTS: tuple[tuple[str, str, str, tuple[str, ...], int], ...] = (
    ("6003100000001", "Movies", "Entertainment", ("Entertainment",), 1_100_000_000),
    ("6003100000002", "Action movies", "Entertainment", ("Entertainment", "Movies"), 420_000_000),
    ("6003100000003", "Music", "Entertainment", ("Entertainment",), 1_300_000_000),
    ("6003100000004", "Jazz music", "Entertainment", ("Entertainment", "Music"), 90_000_000),
    ("6003100000005", "Running", "Fitness and wellness", ("Fitness and wellness",), 310_000_000),
    ("6003100000006", "Yoga", "Fitness and wellness", ("Fitness and wellness",), 260_000_000),
    ("6003100000007", "Shoes", "Shopping and fashion", ("Shopping and fashion", "Clothing"), 520_000_000),
    ("6003100000008", "Running shoes", "Shopping and fashion", ("Shopping and fashion", "Shoes"), 80_000_000),
    (
        "6003100000009",
        "Online shopping",
        "Shopping and fashion",
        ("Shopping and fashion", "Shopping"),
        900_000_000,
    ),
    ("6003100000010", "Coffee", "Food and drink", ("Food and drink", "Beverages"), 400_000_000),
    ("6003100000011", "Cooking", "Food and drink", ("Food and drink",), 700_000_000),
    ("6003100000012", "Travel", "Hobbies and activities", ("Hobbies and activities",), 1_000_000_000),
    (
        "6003100000013",
        "Photography",
        "Hobbies and activities",
        ("Hobbies and activities", "Arts and music"),
        600_000_000,
    ),
    ("6003100000014", "Soccer", "Sports and outdoors", ("Sports and outdoors", "Sports"), 800_000_000),
    ("6003100000015", "Basketball", "Sports and outdoors", ("Sports and outdoors", "Sports"), 450_000_000),
    ("6003100000016", "Video games", "Technology", ("Technology", "Computers"), 900_000_000),
    ("6003100000017", "Smartphones", "Technology", ("Technology", "Consumer electronics"), 850_000_000),
    ("6003100000018", "Small business", "Business and industry", ("Business and industry",), 300_000_000),
)

#: (key, name, country code, supports regions and cities)
COUNTRIES: tuple[tuple[str, str], ...] = (
    ("US", "United States"),
    ("GB", "United Kingdom"),
    ("CA", "Canada"),
    ("AU", "Australia"),
    ("DE", "Germany"),
    ("FR", "France"),
    ("ES", "Spain"),
    ("IT", "Italy"),
    ("NL", "Netherlands"),
    ("BR", "Brazil"),
    ("MX", "Mexico"),
    ("IN", "India"),
    ("JP", "Japan"),
    ("NG", "Nigeria"),
)
#: (key, name, country code)
REGIONS: tuple[tuple[str, str, str], ...] = (
    ("3847", "California", "US"),
    ("3886", "New York", "US"),
    ("3889", "Texas", "US"),
    ("1127", "England", "GB"),
    ("506", "Ontario", "CA"),
    ("1548", "Bavaria", "DE"),
)
#: (key, name, region key, region, country code)
CITIES: tuple[tuple[str, str, str, str, str], ...] = (
    ("2420379", "San Francisco", "3847", "California", "US"),
    ("2421836", "Los Angeles", "3847", "California", "US"),
    ("2490299", "New York", "3886", "New York", "US"),
    ("2418779", "Austin", "3889", "Texas", "US"),
    ("2673730", "London", "1127", "England", "GB"),
    ("296875", "Toronto", "506", "Ontario", "CA"),
    ("543069", "Munich", "1548", "Bavaria", "DE"),
    ("1668060", "Paris", "", "", "FR"),
)
LOCALES: tuple[tuple[int, str], ...] = (
    (6, "English (US)"),
    (24, "English (UK)"),
    (23, "Spanish"),
    (9, "French (France)"),
    (5, "German"),
    (16, "Portuguese (Brazil)"),
    (15, "Italian"),
    (11, "Japanese"),
)

SEARCH_TYPES = ("adinterest", "adgeolocation", "adcountry", "adlocale")
LOCATION_TYPES = ("country", "region", "city")
DEFAULT_LIMIT = 25
MAX_LIMIT = 500


def _matches(q: str, name: str) -> bool:
    return q in name.lower()


def interest(entry: tuple[str, str, str, tuple[str, ...], int]) -> dict[str, Any]:
    interest_id, name, topic, path, lower = entry
    return {
        "id": interest_id,
        "name": name,
        "audience_size_lower_bound": lower,
        "audience_size_upper_bound": lower * 6 // 5,
        "path": ["Interests", *path, name],
        "topic": topic,
    }


def _countries(q: str) -> list[dict[str, Any]]:
    return [
        {
            "key": key,
            "name": name,
            "type": "country",
            "country_code": key,
            "supports_region": True,
            "supports_city": True,
        }
        for key, name in COUNTRIES
        if _matches(q, name) or q == key.lower()
    ]


def _geolocations(q: str, types: list[str]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    if "country" in types:
        found += _countries(q)
    if "region" in types:
        found += [
            {
                "key": key,
                "name": name,
                "type": "region",
                "country_code": cc,
                "country_name": dict(COUNTRIES)[cc],
                "supports_region": True,
                "supports_city": True,
            }
            for key, name, cc in REGIONS
            if _matches(q, name)
        ]
    if "city" in types:
        for key, name, region_id, region, cc in CITIES:
            if _matches(q, name):
                city = {
                    "key": key,
                    "name": name,
                    "type": "city",
                    "country_code": cc,
                    "country_name": dict(COUNTRIES)[cc],
                    "supports_region": True,
                    "supports_city": True,
                }
                if region_id:
                    city |= {"region": region, "region_id": int(region_id)}
                found.append(city)
    return found


def _limit(params: Params) -> int:
    value = params.get_int("limit", minimum=1, maximum=MAX_LIMIT)
    return DEFAULT_LIMIT if value is None else value


def _query(params: Params, *, required: bool) -> str:
    q = (params.get_str("q") or "").strip().lower()
    if required and not q:
        raise GraphError.invalid("Param q is required for this search type")
    if len(q) > 200:
        raise GraphError.invalid("Param q must be at most 200 characters")
    return q


def search(params: Params) -> dict[str, Any]:
    """``GET /search``: ``{"data": [...]}``."""
    kind = params.get_str("type")
    if kind is None or kind.lower() not in SEARCH_TYPES:
        raise GraphError.invalid(f"Param type must be one of {', '.join(SEARCH_TYPES)}")
    kind = kind.lower()
    limit = _limit(params)
    if kind == "adinterest":
        q = _query(params, required=True)
        data = [interest(e) for e in INTERESTS if _matches(q, e[1])]
    elif kind == "adgeolocation":
        types = params.get_list("location_types") or list(LOCATION_TYPES)
        unknown = [t for t in types if t not in LOCATION_TYPES]
        if unknown:
            raise GraphError.invalid(f"Param location_types[0] must be one of {', '.join(LOCATION_TYPES)}")
        data = _geolocations(_query(params, required=True), types)
    elif kind == "adcountry":
        data = _countries(_query(params, required=False))
    else:
        q = _query(params, required=False)
        data = [{"key": key, "name": name} for key, name in LOCALES if _matches(q, name)]
    return {"data": data[:limit]}


def account_search(params: Params) -> dict[str, Any]:
    """``GET /act_<n>/targetingsearch``: interests, each marked with its type."""
    q = _query(params, required=True)
    data = [{**interest(e), "type": "interests"} for e in INTERESTS if _matches(q, e[1])]
    return {"data": data[: _limit(params)]}
