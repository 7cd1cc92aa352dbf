"""Genuine platform payloads replayed end to end: loopback server -> connectors -> raw -> staging."""
