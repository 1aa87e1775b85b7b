"""A simulated SP4N-LAPOR! v3 with its own store, a control API and fault injection."""

from lapor_bridge.lapor.simulator.app import create_sim_app
from lapor_bridge.lapor.simulator.faults import FaultConfig
from lapor_bridge.lapor.simulator.server import SimServer, run_in_thread

__all__ = ["FaultConfig", "SimServer", "create_sim_app", "run_in_thread"]
