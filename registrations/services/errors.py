"""The error services raise for a change that cannot be applied; the message says why.

A module of its own, importing nothing of ours: services the background tasks run (the domain import)
raise it too, and registrations.services.common imports the tasks.
"""

from __future__ import annotations


class ReviewError(Exception):
    """An organizer's review or a registrant's edit cannot be applied (unconfirmed, withdrawn, no reason)."""
