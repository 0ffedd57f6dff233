"""The webcare command line, configuration loading and the in-process runner."""
