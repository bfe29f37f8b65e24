"""The one progress bar of the command line (import stages, coverage exports)."""

from __future__ import annotations

import io

from finder.cli.progress import Bar


class Tty(io.StringIO):
    def isatty(self):
        return True


def test_bar_is_redrawn_in_place_on_a_terminal():
    out = Tty()
    bar = Bar(out, width=10, min_interval=0)
    bar("Géocodage", 0, 4)
    bar("Géocodage", 2, 4)
    bar("Géocodage", 4, 4)
    assert out.getvalue().endswith("\rGéocodage [##########] 4/4 (100%)\n")
    assert "[#####.....] 2/4 (50%)" in out.getvalue()


def test_bar_writes_only_start_and_end_elsewhere():
    plain = io.StringIO()
    for done in range(5):
        Bar(plain, width=4, min_interval=0)("Validation", done, 4)
    assert plain.getvalue().splitlines() == ["Validation [....] 0/4 (0%)", "Validation [####] 4/4 (100%)"]


def test_a_stage_is_a_two_argument_callback_under_its_label():
    out = Tty()
    step = Bar(out, width=4, min_interval=0).stage("Export des communes")
    step(100, 400)
    step(400, 400)
    assert "Export des communes [#...] 100/400 (25%)" in out.getvalue()
    assert out.getvalue().endswith("\rExport des communes [####] 400/400 (100%)\n")


def test_redraws_are_throttled_but_the_end_is_always_shown():
    out = Tty()
    bar = Bar(out, width=4, min_interval=3600)
    for done in range(0, 5):
        bar("Validation", done, 4)
    assert out.getvalue().count("\r") == 2  # the first draw and the end
