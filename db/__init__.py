"""Every SQL statement the server sends: models, engine, queries, migrations and checks."""
