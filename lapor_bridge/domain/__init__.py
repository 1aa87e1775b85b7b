"""Pure domain rules: complaint states, routing decisions, working-day clocks.

Nothing here imports Flask, SQLAlchemy, requests or telegram.
"""
