"""webcare/lab."""
