"""What every operation of the OpenAPI description answers besides its own success: Partner
Center's error body (any status), and the 429 with Retry-After. drf-spectacular's
postprocessing hook, so that a client generated from the schema knows the error shapes and a
schema-driven test (Schemathesis) can check every answer against it."""

ERROR = {
    "type": "object",
    "description": "Partner Center's error body.",
    "properties": {
        "code": {"type": "integer"},
        "description": {"type": "string"},
        "data": {"type": "array", "items": {"type": "string"}},
        "source": {"type": "string"},
    },
    "required": ["code", "description", "data", "source"],
}
THROTTLED = {
    "type": "object",
    "description": "Partner Center's answer past the rate limit.",
    "properties": {"statusCode": {"type": "integer"}, "message": {"type": "string"}},
    "required": ["statusCode", "message"],
}


def _json(name: str) -> dict:
    return {"application/json": {"schema": {"$ref": f"#/components/schemas/{name}"}}}


def error_responses(result, generator, request, public):
    result.setdefault("components", {}).setdefault("schemas", {}).update(
        {"PartnerCenterError": ERROR, "Throttled": THROTTLED}
    )
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            responses.setdefault(
                "429",
                {
                    "description": "Too many requests: wait Retry-After seconds.",
                    "headers": {"Retry-After": {"schema": {"type": "integer"}}},
                    "content": _json("Throttled"),
                },
            )
            responses.setdefault(
                "default", {"description": "An error.", "content": _json("PartnerCenterError")}
            )
    return result


def list_parameters(noun: str) -> list:
    """The query and header of a collection: its page size, and the continuation."""
    from drf_spectacular.utils import OpenApiParameter

    return [
        OpenApiParameter(
            "size",
            {"type": "integer", "minimum": 1, "maximum": 500},
            description=f"{noun} per page, 1 to 500 (100 when not given).",
        ),
        OpenApiParameter(
            "seekOperation",
            str,
            enum=["Next"],
            description="Next: the page after the one whose MS-ContinuationToken is sent.",
        ),
        OpenApiParameter("MS-ContinuationToken", str, OpenApiParameter.HEADER),
    ]


def collection_of(name: str, item_serializer):
    """Partner Center's collection of `item_serializer` items, for the schema."""
    from drf_spectacular.utils import inline_serializer
    from rest_framework import serializers

    return inline_serializer(
        name=f"{name}Collection",
        fields={
            "totalCount": serializers.IntegerField(),
            "items": item_serializer(many=True),
            "links": serializers.DictField(required=False),
            "attributes": serializers.DictField(),
        },
    )
