"""Blueprints for the screens."""
