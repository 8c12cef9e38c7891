"""Open311 GeoReport v2 as an outside client sees it: the `georeport` package
from PyPI lists services, reads a service definition and follows requests in
both JSON and XML against a running Fengqiao; a request is posted the way a
civic app posts one (form-encoded, with an api_key). Exits non-zero on any
difference from the specification's shapes."""

import sys

import requests
from georeport import GeoReport

base, api_key = sys.argv[1].rstrip("/"), sys.argv[2]
root = f"{base}/open311/v2"
checks = 0


def check(condition, what):
    global checks
    checks += 1
    if not condition:
        sys.exit(f"FAIL: {what}")


posted = requests.post(
    f"{root}/requests.json",
    data={
        "api_key": api_key,
        "jurisdiction_id": "fengqiao",
        "service_code": "request.lighting",
        "lat": "29.86",
        "long": "121.50",
        "description": "路灯不亮 street light out",
        "attribute[when]": "night",
    },
    timeout=30,
)
check(posted.status_code == 400, f"an attribute the service does not have is refused: {posted.status_code}")
posted = requests.post(
    f"{root}/requests.json",
    data={"api_key": api_key, "jurisdiction_id": "fengqiao", "service_code": "request.lighting",
          "lat": "29.86", "long": "121.50", "description": "路灯不亮 street light out"},
    timeout=30,
)
check(posted.status_code == 201, f"POST requests.json: {posted.status_code} {posted.text}")
created = posted.json()[0]
request_id, token = created["service_request_id"], created["token"]

for fmt in ("json", "xml"):
    client = GeoReport(root, jurisdiction="fengqiao", api_key=api_key, output_format=fmt)
    services = client.get_service_list()
    codes = [s["service_code"] for s in services]
    check("request.lighting" in codes and len(codes) == 8, f"{fmt} services: {codes}")
    check(all(s["type"] == "realtime" for s in services), f"{fmt} service types")
    definition = client.get_service_definition("request.noise")
    attributes = definition["attributes"]
    check(attributes, f"{fmt} service definition has attributes: {definition}")
    found = client.get_service_requests(service_code="request.lighting", status="open")
    found = found if isinstance(found, list) else [found]
    check(any(r["service_request_id"] == request_id for r in found), f"{fmt} requests filter finds the new one")
    one = client.get_service_request(request_id)
    check(one["status"] == "open" and one["service_code"] == "request.lighting", f"{fmt} request: {one}")
    check(one["requested_datetime"].endswith("+08:00"), f"{fmt} times carry their zone: {one['requested_datetime']}")

by_token = requests.get(f"{root}/tokens/{token}.json", timeout=30).json()
check(by_token[0]["service_request_id"] == request_id, f"token lookup: {by_token}")
missing_key = requests.post(f"{root}/requests.xml", data={"service_code": "request.road", "lat": "29.8", "long": "121.5"}, timeout=30)
check(missing_key.status_code == 403 and missing_key.headers["Content-Type"].startswith("text/xml"), "403 in XML without api_key")
check("<errors><error><code>403</code>" in missing_key.text, f"the spec's error shape: {missing_key.text}")
print(f"georeport client: {checks} checks passed in JSON and XML")
