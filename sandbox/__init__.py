"""The bundled sandbox: one synthetic cross-border seller served in the platforms' contracts.

``from sandbox import SellerConfig, start_sandbox``; see ``sandbox.server`` and
``sandbox.generator``.
"""

from sandbox.faults import FaultRule
from sandbox.generator import SellerConfig, SellerData, generate
from sandbox.server import Sandbox, start_sandbox

__all__ = ["FaultRule", "Sandbox", "SellerConfig", "SellerData", "generate", "start_sandbox"]
