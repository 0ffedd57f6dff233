"""The job: the one YAML config, the assembly of sources, stages and sinks, and the
in-process and Kafka runners."""

__all__ = [  # the public submodules
    "assembly",
    "config",
    "embedded",
    "kafka",
    "runner",
]
