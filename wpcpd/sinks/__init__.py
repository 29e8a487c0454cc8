"""Sinks read from the archive and write somewhere else."""
