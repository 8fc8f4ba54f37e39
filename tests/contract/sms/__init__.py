"""The SMS adapters against local fake providers, alone and behind the outbox worker."""
