"""Continuous listening: the listening loop, crisis alerts and their notifications."""
