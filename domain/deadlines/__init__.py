"""Deadlines: the calendar of what is due when (data) and the pure schedule derived from it."""
