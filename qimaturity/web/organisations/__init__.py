"""Workspaces, organisations and memberships, and the scoping functions every query goes through."""
