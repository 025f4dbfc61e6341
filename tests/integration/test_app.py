"""The app object: how it runs the hooks and views registered with it."""

import pytest


def test_a_plain_hook_is_run_as_it_was_registered_each_time_it_is_asked_for(app):
    def hook() -> str:
        return "ran"

    assert app.ensure_sync(hook) is hook
    assert app.ensure_sync(hook) is hook


def test_a_coroutine_view_is_still_refused_when_asked_for_again(app):
    # Flask runs a coroutine view only with its "async" extra, which elearn does not install:
    # it must never be handed back as if it were a plain function.
    async def view() -> str:
        return "never run"

    for _ in range(2):
        with pytest.raises(RuntimeError, match="async"):
            app.ensure_sync(view)
