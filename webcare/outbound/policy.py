"""Who may publish a status post without a lead: the approval policy of the drafting listener.

Called by :class:`webcare.outbound.drafting.Drafter` once per channel and event (issue 21):

* ``opened`` / ``updated``: published automatically for the urgencies in ``auto_publish``
  (approved by ``auto``), otherwise a draft for a lead — unchanged.
* ``resolved`` because report volume went quiet (the correlator, ``decided_by`` None): ALWAYS a
  draft. Quiet volume only proposes a resolution; a lead approves it (or the desk confirms it).
* ``resolved`` by the service desk (``decided_by`` ``desk:<sink>:<ticket>``): with
  ``publish_on_desk_resolution`` (default true) approved by that actor, on every channel where
  the incident was announced (an opened/updated post approved or published there); where it
  never was, a draft (a lead decides whether to talk about it at all). A channel that already
  has its resolution approved or published (a lead approved the quiet-volume draft) gets no
  second one.

Replies to affected authors follow the published resolution (:mod:`webcare.outbound.delivery`
plans them when it publishes), so they wait for the same decision.
"""

from __future__ import annotations

from route.incidents import IncidentEvent
from webcare.outbound.config import OutboundConfig

AUTO = "auto"
SKIP = object()  # no post on this channel
SENT_STATES = ("approved", "sending", "published")


def is_desk(event: IncidentEvent) -> bool:
    return bool(event.decided_by) and str(event.decided_by).startswith("desk:")


def approver(posts, event: IncidentEvent, channel: str, config: OutboundConfig):
    """``auto`` / the desk actor (publish), None (a draft for a lead) or :data:`SKIP`."""
    incident = event.incident
    if event.kind != "resolved":
        return AUTO if incident.urgency in config.auto_publish else None
    if not is_desk(event):
        return None  # quiet volume proposes, it never publishes
    mine = [r for r in posts.list(SENT_STATES, incident.key) if r["channel"] == channel]
    if any(r["kind"] == "resolved" for r in mine):
        return SKIP
    announced = any(r["kind"] in ("opened", "updated") for r in mine)
    return event.decided_by if config.publish_on_desk_resolution and announced else None
