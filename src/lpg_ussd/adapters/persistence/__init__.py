"""Persistence adapter: SQLAlchemy Core tables, mappers, repositories and the unit of work."""
