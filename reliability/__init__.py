"""Faults, concurrency and crashes, against real server processes on PostgreSQL."""
