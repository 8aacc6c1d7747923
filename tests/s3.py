"""A local S3-compatible server (moto in server mode) and storage settings that use it.

Fixtures imported by tests/conftest.py. The portal talks to it over HTTP with boto3, exactly
as to MinIO in docker-compose or to AWS S3 in production.
"""

import boto3
import pytest
from moto.server import ThreadedMotoServer

from gccportal.storages import s3_document_storage
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
    """Documents stored in the local S3 server through production's storage definition."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": s3_document_storage(
            bucket_name=BUCKET, endpoint_url=s3_server, region_name="us-east-1", **CREDENTIALS
        ),
    }
    return s3_bucket
