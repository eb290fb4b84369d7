"""The PostgreSQL benchmark: a data generator, a load driver and a report (see BENCHMARKS.md)."""
