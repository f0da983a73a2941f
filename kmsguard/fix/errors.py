"""The one exception every editor raises when an edit would be a guess or would break the file."""
from __future__ import annotations


class EditRefused(Exception):
    """An edit that is not made; the message is the reason the summary prints."""
