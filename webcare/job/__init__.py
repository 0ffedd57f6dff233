"""webcare/job."""
