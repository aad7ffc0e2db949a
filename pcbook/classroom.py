"""Classroom kit: exercise discovery, student notebooks and the exercises index (filled in next)."""
