"""Plumbing of the resource layer: the backend's stores, ARNs, input checks and pagination."""
