"""The data a rule reads. The definitions live in microscout.models, shared by the crawlers,
the store and the engine; this module keeps the name plugins have always imported."""
from microscout.models import Candidate, Comment, Follower, Post, Profile, Snapshot

__all__ = ["Candidate", "Comment", "Follower", "Post", "Profile", "Snapshot"]
