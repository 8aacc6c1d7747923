"""A local S3-compatible server (moto in server mode) and storage settings that use it.

Fixtures imported by tests/conftest.py. The portal talks to it over HTTP with boto3, exactly
as to MinIO in docker-compose or to AWS S3 in production.
"""

import boto3
import pytest
from moto.server import ThreadedMotoServer

from tests.helpers import free_port

BUCKET = "gccportal-documents-test"
CREDENTIALS = {"access_key": "test-access-key", "secret_key": "test-secret-key"}  # moto: any


@pytest.fixture(scope="session")
def s3_server():
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


def s3_storage_options(endpoint_url: str) -> dict:
    """The OPTIONS of production's S3 storage (settings/production.py), on the local server."""
    return {
        "bucket_name": BUCKET,
        "endpoint_url": endpoint_url,
        "region_name": "us-east-1",
        "addressing_style": "path",
        "default_acl": "private",
        "querystring_auth": True,
        "file_overwrite": False,
        **CREDENTIALS,
    }


@pytest.fixture
def s3_bucket(s3_server):
    """An empty private bucket; returns a boto3 client to look inside it."""
    client = boto3.client(
        "s3",
        endpoint_url=s3_server,
        region_name="us-east-1",
        aws_access_key_id=CREDENTIALS["access_key"],
        aws_secret_access_key=CREDENTIALS["secret_key"],
    )
    client.create_bucket(Bucket=BUCKET)
    yield client
    objects = client.list_objects_v2(Bucket=BUCKET).get("Contents", [])
    for item in objects:
        client.delete_object(Bucket=BUCKET, Key=item["Key"])
    client.delete_bucket(Bucket=BUCKET)


def s3_keys(client) -> list[str]:
    return sorted(item["Key"] for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", []))


@pytest.fixture
def s3_documents(settings, s3_server, s3_bucket):
    """Documents stored in the local S3 server through production's storage backend."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": s3_storage_options(s3_server),
        },
    }
    return s3_bucket
