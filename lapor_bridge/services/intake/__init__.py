"""Intake: every channel's complaint is validated, classified, routed and stored here.

``submit`` is the one intake path (``submit_complaint``); ``store`` writes its rows.
"""
