"""PII detection: validated identifiers, contact details and context-detected personal data."""
