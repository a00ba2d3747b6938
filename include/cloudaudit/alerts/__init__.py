"""Alerts the day an exposure appears: one message per country for critical findings that were
not open the run before, to the channels configured for that country (SMTP, a signed webhook).

Messages name the resource, the check, First Seen, the notifiable verdict, the nearest deadline
and the portal link, never a value. A failing channel is logged and retried; it never fails
the run.
"""
