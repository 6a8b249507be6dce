"""Repository ports: what the core asks of storage, as Protocols and plain record types (no SQL here)."""
