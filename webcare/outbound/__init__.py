"""Outbound incident updates (issue 8): status posts per channel from per-language templates,
lead approval (or automatic publish by severity), delivery with retries, one personal reply per
affected poster and a follow-up when the incident is resolved. See docs/outbound.md."""

__all__ = [  # the public submodules
    "channels",
    "config",
    "delivery",
    "drafting",
    "replies",
    "reply_store",
    "statuspage",
    "store",
    "policy",
    "templates",
    "wiring",
]
