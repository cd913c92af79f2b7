"""Shared library of the one-axis platform: every service imports it, none imports another."""
