"""Genuine platform payloads replayed end to end: loopback -> connectors -> raw -> staging."""
