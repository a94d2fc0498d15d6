"""Incident list, detail view and dispatch dialog."""
