"""The outbound channels: one client per ``outbound.channels`` entry, chosen by ``type``.

Every channel has ``publish(text, key) -> Published``; those that can answer a post also have
``reply(post, text, key) -> str`` (the platform's id of the reply). Both raise
:class:`sinks.tickets.http.Retryable` (429, 5xx, network: try later) or
:class:`sinks.tickets.http.Rejected` (other 4xx: failed, with the body). Building resolves the
secrets; a missing one raises :class:`ingest.credentials.MissingCredential`.
"""

from webcare.outbound.channels.base import Channel, Published, build_channels

__all__ = ["Channel", "Published", "build_channels"]
