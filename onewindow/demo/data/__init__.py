"""Demo data: copies of the researched public data (see SOURCES.md) and the items built on it."""
