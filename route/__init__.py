"""Routing: configurable rules that turn a classified post into an action."""
