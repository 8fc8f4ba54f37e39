"""Operators' figures."""
