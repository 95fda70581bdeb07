"""Settings of the peers benchmark only: the product's settings plus django-viewflow's apps and
the table of SpiffWorkflow states (``bench.peers``). Never used by the product or its tests."""

from onewindow.settings import *  # noqa: F403
from onewindow.settings import INSTALLED_APPS as _PRODUCT_APPS

INSTALLED_APPS = [*_PRODUCT_APPS, "viewflow", "viewflow.workflow", "bench.peers"]
