"""The lab: training, evaluation, simulation and the demo day (offline; no serving room
imports it)."""

__all__ = [  # the public submodules
    "evaluate",
    "make_day",
    "model_table",
    "oof_figures",
    "simulate",
    "simulate_texts",
    "train",
    "training",
]
