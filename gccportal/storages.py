"""The document storage of the production shape: one definition for the settings and tests."""


def s3_document_storage(
    *,
    bucket_name: str,
    endpoint_url: str | None = None,
    region_name: str | None = None,
    addressing_style: str = "path",
    object_parameters: dict | None = None,
    **credentials: str,
) -> dict:
    """A `STORAGES` entry: private S3 objects (django-storages), never a public URL.

    `credentials` (access_key, secret_key) only where the environment's AWS variables or the
    instance role do not apply (tests).
    """
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": bucket_name,
            "endpoint_url": endpoint_url,
            "region_name": region_name,
            "addressing_style": addressing_style,
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
            "object_parameters": object_parameters or {},
            **credentials,
        },
    }
