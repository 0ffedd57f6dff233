"""webcare/cli."""
