# The real browser of the portal's accessibility test (Debian's chromium through Playwright).
from onewindow.portal.tests.test_accessibility import browser  # noqa: F401
