"""PDF bodies of the notices issued during review (registered with cases.notices)."""
