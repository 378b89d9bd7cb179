"""A local stand-in for Autosana (its Runs API and build storage) for the tests and the demo.

It is not part of the action: the image leaves it out, and nothing in ``autosana_action`` imports
it except the CLI's ``demo`` and ``simulator`` commands."""

from .api import AutosanaSimulator
from .demo_data import DEMO_CHANGED_FLOWS, DEMO_COMMIT, DEMO_SUITES, generated_plan
from .plans import Batch, Fault, FlowPlan, GroupPlan, Recorded
from .storage import StorageFault, StorageSimulator
from .supabase import SupabaseStorage, TusFault

__all__ = [
    "DEMO_CHANGED_FLOWS",
    "DEMO_COMMIT",
    "DEMO_SUITES",
    "AutosanaSimulator",
    "Batch",
    "Fault",
    "FlowPlan",
    "GroupPlan",
    "Recorded",
    "StorageFault",
    "StorageSimulator",
    "SupabaseStorage",
    "TusFault",
    "generated_plan",
]
