"""Adapters: the technologies behind the ports, chosen by configuration in container.py."""
