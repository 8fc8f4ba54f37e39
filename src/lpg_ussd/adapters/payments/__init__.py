"""payments adapters."""
