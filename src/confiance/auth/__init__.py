"""Accounts and access: password hashing, roles and what each may do, tokens and sessions."""
