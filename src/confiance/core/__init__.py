"""Settings, database engine, the numbered error catalogue and plugin hooks."""
