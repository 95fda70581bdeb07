"""The demo: a catalog built on Ezhou's public data and a year of generated cases.

``onewindow demo`` loads it (``cli.py``); ``catalog.py`` loads the departments, regions, windows,
items and demo users from ``data/``; ``cases/`` simulates a year of cases through the real
services; ``renewals.py`` files a renewal for a demo persona. The demo sits above every app: it
drives them all and none of them imports it.
"""

# Each case costs about 0.2 s of CPU through the services (some 180 queries) and the year's
# sweeps and jobs about 15 s, so the default loads (with the catalog) in about a minute.
DEFAULT_COUNT = 200
MAX_CASES = 20_000
