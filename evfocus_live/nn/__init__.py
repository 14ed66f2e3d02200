"""Networks: EvFocus (light and full), the E2VID and FireNet baselines, and the registry.

``load_model(name_or_path, device)`` is the one way the app gets a model; see
:mod:`evfocus_live.nn.registry`.
"""

from .e2vid import E2VID
from .evfocus import EvFocus
from .firenet import FireNet
from .registry import available_models, build_model, load_model

__all__ = ["E2VID", "EvFocus", "FireNet", "available_models", "build_model", "load_model"]
