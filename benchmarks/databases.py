"""The benchmark's own PostgreSQL databases, made again from nothing and vacuumed after a load."""


def _admin_connection(dbname: str):
    import psycopg2

    connection = psycopg2.connect(host="127.0.0.1", user="postgres", dbname=dbname)
    connection.autocommit = True
    return connection


def database_recreate(name: str) -> None:
    connection = _admin_connection("postgres")
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{name}"')
    connection.close()


def vacuum(name: str) -> None:
    """VACUUM ANALYZE after the load, as autovacuum would soon after such inserts: the
    visibility map set, index-only scans read no table pages (production's steady state)."""
    connection = _admin_connection(name)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    connection.close()
