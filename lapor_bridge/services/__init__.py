"""Use cases, one function each. Only services open transactions and commit."""
