"""Kafka distributed mode: topics, messages and consumer-group workers for each stage."""
