"""PDF bodies of the decision, extension and special-procedure notices (registered with
cases.notices)."""
