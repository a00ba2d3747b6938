"""Resource identifiers, exactly as the SPEC fixes them; built only here."""

from __future__ import annotations


def s3_uri(bucket: str, key: str | None = None) -> str:
    """>>> s3_uri("b"), s3_uri("b", "k/x.csv")
    ('s3://b', 's3://b/k/x.csv')
    """
    return f"s3://{bucket}" if key is None else f"s3://{bucket}/{key}"


def gs_uri(bucket: str, name: str | None = None) -> str:
    """>>> gs_uri("b", "o.json")
    'gs://b/o.json'
    """
    return f"gs://{bucket}" if name is None else f"gs://{bucket}/{name}"


def bq_uri(project: str, dataset: str, table: str | None = None) -> str:
    """>>> bq_uri("p", "d"), bq_uri("p", "d", "t")
    ('bq://p.d', 'bq://p.d.t')
    """
    return f"bq://{project}.{dataset}" if table is None else f"bq://{project}.{dataset}.{table}"


def container_of(resource: str) -> str:
    """The bucket or table a sampled object or table belongs to.

    >>> container_of("s3://b/k/x.csv"), container_of("gs://b"), container_of("bq://p.d.t")
    ('s3://b', 'gs://b', 'bq://p.d.t')
    """
    scheme, _, rest = resource.partition("://")
    if scheme in ("s3", "gs"):
        return f"{scheme}://{rest.split('/', 1)[0]}"
    return resource
