"""Scheduled work: job functions and the one declarative schedule (``lapor-bridge worker``)."""
