"""One dataset → one Resource (access entries, location) and the list of its tables.

``config["access_entries"]`` is ``[{"role", "entity_type", "entity_id"}]`` as the dataset
resource holds them: ``allUsers`` arrives as ``iamMember``, ``allAuthenticatedUsers`` as
``specialGroup``; authorized views, routines and datasets name their target as a dot path.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from cloudaudit.collectors.gcp.failures import Reads, google_call
from cloudaudit.collectors.guard import unexpected
from cloudaudit.errors import CallFailed
from cloudaudit.model import CoverageStatus, Provider, Resource, Service
from cloudaudit.resources import bq_uri

if TYPE_CHECKING:
    from google.cloud.bigquery import Client
    from google.cloud.bigquery.dataset import DatasetListItem
    from google.cloud.bigquery.table import TableListItem

    from cloudaudit.collectors.gcp.clients import CallOptions
    from cloudaudit.config import Limits

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DatasetRead:
    """A dataset's Resource and the tables to read next, with the location they inherit."""

    resource: Resource
    tables: list[TableListItem] = field(default_factory=list)


def access_entries(entries: Iterable[Any]) -> list[dict[str, Any]]:
    """``AccessEntry`` objects → JSON-ready dicts, in a stable order."""
    out = [{"role": str(e.role or ""), "entity_type": str(e.entity_type or ""),
            "entity_id": entity_text(e.entity_id)} for e in entries]
    return sorted(out, key=lambda a: (a["entity_type"], a["entity_id"], a["role"]))


def entity_text(entity_id: Any) -> str:
    """An entity as text: e-mail, group or a dot path for views, routines and datasets.

    >>> entity_text("allUsers")
    'allUsers'
    >>> entity_text({"projectId": "p", "datasetId": "d", "tableId": "v"})
    'p.d.v'
    >>> entity_text({"dataset": {"projectId": "p", "datasetId": "d"}, "targetTypes": ["VIEWS"]})
    'p.d'
    """
    if entity_id is None:
        return ""
    if isinstance(entity_id, Mapping):
        inner = entity_id.get("dataset", entity_id)
        parts = [inner.get(k) for k in ("projectId", "datasetId", "tableId", "routineId")]
        if all(isinstance(p, str) for p in parts[:2]):
            return ".".join(str(p) for p in parts if p)
        return json.dumps(entity_id, sort_keys=True, default=str)
    return str(entity_id)


def read_dataset(client: Client, item: DatasetListItem, *, limits: Limits, opts: CallOptions) -> DatasetRead:
    """Configuration of one dataset and its table list; never raises."""
    resource = bq_uri(item.project, item.dataset_id)
    base: dict[str, Any] = {"resource": resource, "provider": Provider.GCP, "service": Service.BIGQUERY,
                            "kind": "dataset"}
    try:
        with google_call("getDataset", resource):  # the answer is parsed as its properties are read
            dataset = client.get_dataset(item.reference, **opts.kwargs())
            config = {"access_entries": access_entries(dataset.access_entries)}
            location = str(dataset.location or "").lower()
        reads = Reads(resource)
        tables = reads.read("tables", "listTables", lambda: list(
            client.list_tables(dataset, max_results=limits.max_resources + 1, **opts.kwargs())))
        status = CoverageStatus.PARTIAL if reads.errors else CoverageStatus.ASSESSED
        read = Resource(**base, location=location, status=status, reason="; ".join(reads.errors.values()),
                        config=config, read_errors=reads.errors)
        return DatasetRead(read, tables or [])
    except CallFailed as exc:
        return DatasetRead(Resource(**base, status=CoverageStatus.NOT_ASSESSED, reason=str(exc)))
    except Exception as exc:  # Google's failures were mapped where they were raised: this is a bug
        return DatasetRead(Resource(**base, status=CoverageStatus.NOT_ASSESSED,
                                    reason=unexpected(log, "reading", resource, exc)))
