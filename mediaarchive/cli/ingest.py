"""Commands: ingest, status, show, events, verify."""
