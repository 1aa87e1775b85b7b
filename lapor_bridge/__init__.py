"""lapor-bridge: citizen complaints in, routed to the right agency, in step with SP4N-LAPOR!."""

__version__ = "0.1.0"
