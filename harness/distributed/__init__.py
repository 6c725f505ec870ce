"""Sandbox work spread over a Ray cluster: one actor per node owning that node's pool."""
