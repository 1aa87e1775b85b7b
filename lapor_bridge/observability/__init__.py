"""Logs, metrics and readiness: what operators see of a running process."""
