"""Store stage: the DuckDB schema, storing articles once (exact and near-duplicate), feed health, queries."""
