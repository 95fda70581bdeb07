"""The peers of the side-by-side benchmark: the same parallel approval (a case accepted,
three department tasks opened at once, each completed, the join, the decision) built as a small
benchmark-only process on django-viewflow and on SpiffWorkflow.

Benchmark-only: ``bench.peers.settings`` adds viewflow's apps and this app (the table holding
SpiffWorkflow's serialized state) on top of the product's settings; the product's
INSTALLED_APPS never include them.
"""
