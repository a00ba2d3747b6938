"""Internals of the project's BigQuery v2 REST emulator (see ``cloudaudit.estate.bigquery_emulator``).

    errors   Google's error envelope (404 notFound, 409 duplicate, 400 invalid, ...)
    schema   table schema normalisation, validation, compatible updates, autodetection
    values   JSON row values → stored cells (insertAll, loads) → tabledata.list wire format
    store    the in-memory projects, datasets, tables, IAM policies and jobs, behind one lock
    loads    load-job sources: multipart bodies, newline-delimited JSON and CSV
    routes   (method, path) → store call
"""
