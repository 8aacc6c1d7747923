"""The customer flow through the REST API, end to end, with nothing but Python's standard
library: find a GCC validation code with creates left, create a customer, qualify it for
GCC with the code, order GCC seats, wait for provisioning.

    GCCPORTAL_URL=http://127.0.0.1:8000 GCCPORTAL_TOKEN=gcp_… python docs/api_example.py
"""

import json
import os
import time
import urllib.error
import urllib.request
import uuid

BASE = os.environ.get("GCCPORTAL_URL", "http://127.0.0.1:8000")
TOKEN = os.environ["GCCPORTAL_TOKEN"]  # Organization profile → Manage API clients (read and write)


def call(method: str, path: str, body: dict | None = None) -> dict:
    headers = {
        "Authorization": f"Bearer {TOKEN}",
        "MS-CorrelationId": str(uuid.uuid4()),
        "Accept": "application/json",
    }
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
        # A new ID per request; on a timeout, retry with the same one: nothing happens twice.
        headers["MS-RequestId"] = str(uuid.uuid4())
    url = BASE + path  # BASE is http(s):// (urllib would open file: URLs too)
    request = urllib.request.Request(url, data=data, headers=headers, method=method)  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            return json.load(response)
    except urllib.error.HTTPError as error:
        problem = json.load(error)  # Partner Center's {"code", "description", "data", "source"}
        message = f"{method} {path}: {error.code} {problem['description']} {problem['data']}"
        raise SystemExit(message) from None


def main() -> str:
    codes = call("GET", "/v1/customers/all/validations")
    code = next(c for c in codes if c["remainingCreates"] is None or c["remainingCreates"] > 0)
    print("validation code", code["validationId"], "for", code["organizationName"])

    domain = f"agency{uuid.uuid4().hex[:6]}.gov"
    customer = call(
        "POST",
        "/v1/customers",
        {
            "companyProfile": {"domain": domain},
            "billingProfile": {
                "email": f"it@{domain}",
                "culture": "en-US",
                "language": "en",
                "companyName": code["organizationName"],
                "defaultAddress": {
                    "firstName": "Robin",
                    "lastName": "Clerk",
                    "addressLine1": "800 E Monroe St",
                    "city": "Springfield",
                    "state": "IL",
                    "postalCode": "62701",
                    "country": "US",
                    "phoneNumber": "+1 217 555 0199",
                },
            },
        },
    )
    customer_id = customer["id"]
    print("customer", customer_id, domain)

    qualification = call(
        "POST",
        f"/v1/customers/{customer_id}/qualifications",
        {"qualification": "GovernmentCommunityCloud", "validationCode": code["validationId"]},
    )
    print("qualification", qualification["qualification"], qualification["vettingStatus"])

    offers = call("GET", "/v1/offers?country=US")["items"]
    offer = next(o for o in offers if "GovernmentCommunityCloud" in o["reselleeQualifications"])
    order = call(
        "POST",
        f"/v1/customers/{customer_id}/orders",
        {
            "referenceCustomerId": customer_id,
            "lineItems": [{"lineItemNumber": 0, "offerId": offer["id"], "quantity": 25}],
        },
    )
    print("order", order["id"], order["status"], offer["name"])

    status_path = order["links"]["provisioningStatus"]["uri"]
    for _attempt in range(30):
        lines = call("GET", status_path)["items"]
        if all(line["status"] != "pending" for line in lines):
            break
        time.sleep(2)
    print("provisioning", [line["status"] for line in lines])
    return order["id"]


if __name__ == "__main__":
    main()
