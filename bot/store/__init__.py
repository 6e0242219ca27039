"""Storage: SQLAlchemy models and the database engine."""
