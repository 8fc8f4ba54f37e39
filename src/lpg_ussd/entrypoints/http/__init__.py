"""The HTTP entrypoint."""
