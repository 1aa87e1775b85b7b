"""Sync with SP4N-LAPOR!: the outbox push, polling of linked reports, inbound import.

``push`` sends the outbox, ``poll`` brings national changes home under the precedence
rules of ``rules``, ``inbound`` imports reports disposed to our instansi, ``masters``
keeps the instansi master list, and ``admin`` and ``health`` serve the sync admin pages.
"""
