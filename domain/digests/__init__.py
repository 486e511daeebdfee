"""Digests for officers: compliance, attendance, 1+1, deadlines and flags, as a message, a
spreadsheet and a chart built from one computed structure (compute.py)."""
