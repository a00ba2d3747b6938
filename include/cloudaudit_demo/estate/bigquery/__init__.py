"""Internals of the project's BigQuery v2 REST emulator (see ``cloudaudit_demo.estate.bigquery_emulator``).

    errors     Google's error envelope (404 notFound, 409 duplicate, 400 invalid, ...)
    schema     table schema normalisation, validation, compatible updates, selectedFields
    values     JSON row values → stored cells (insertAll, loads) → tabledata.list's wire format
    resources  dataset/table/IAM request bodies: validation, access entries, PATCH merging
    paging     opaque page tokens and maxResults
    store      the in-memory datasets, tables, rows and IAM policies, behind one lock
    loads      load-job sources: multipart bodies, JSON lines, CSV, Parquet; schema autodetection
    jobs       load and copy jobs (run at once), resumable upload sessions
    routes     (method, path) → store call
"""
