"""Replies through the platforms (X, Reddit, Mastodon, Bluesky), sent once per click.

See :mod:`webcare.app.replies.send` for the flow and :mod:`webcare.app.replies.config` for
the ``app.reply.platforms`` keys.
"""

from webcare.app.replies.base import Replier, ReplyError, ReplyTarget
from webcare.app.replies.send import Outcome, ReplyFailed, send_reply

__all__ = ["Outcome", "Replier", "ReplyError", "ReplyFailed", "ReplyTarget", "send_reply"]
