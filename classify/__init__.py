"""Pure classification stages: language, noise, topic, sentiment, urgency and priority.

Nothing here does I/O at call time; models and rule files are loaded once at construction.
"""
