"""The web tests reuse the dialog harness (store, index, matching) of tests/bot."""

from ..bot.conftest import bot  # noqa: F401  (a fixture, re-exported for this package)
