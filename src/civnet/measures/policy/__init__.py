"""Scenarios: what a removal, an added tie or a policy would change, and recommendations."""
