"""The product above the pipeline stages, in rooms: ``cli`` (the ``webcare`` command), ``job``
(config, assembly, runners), ``app`` (``webcare serve``), ``outbound``, ``knowledge``,
``alerts``, ``desk`` (teams, assignment, the SLA clock) and ``lab`` (training, evaluation, simulation; never imported by a serving room)."""

__all__ = [  # the public submodules
    "alerts",
    "app",
    "cli",
    "desk",
    "job",
    "knowledge",
    "lab",
    "outbound",
]
