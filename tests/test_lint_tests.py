"""The vacuous-test check of ``make lint`` catches a test that cannot fail."""

from __future__ import annotations

from pathlib import Path

from tests.lint_tests import main, vacuous_tests

SAMPLE = """
import pytest

def check_title(page):
    assert page.title

def open_page():
    return object()

def test_vacuous():
    open_page()  # runs, checks nothing

def test_asserts():
    assert open_page() is not None

def test_raises():
    with pytest.raises(ValueError):
        int("x")

def test_uses_a_helper_that_asserts():
    check_title(open_page())

def test_uses_a_test_module_helper():
    shown(open_page())

def shown(page):
    check_title(page)
"""


def test_a_vacuous_test_is_listed_and_asserting_ones_pass(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    sample = tmp_path / "test_sample.py"
    sample.write_text(SAMPLE, encoding="utf-8")
    [found] = vacuous_tests([sample])
    assert found.endswith(":10 test_vacuous")
    assert main([str(tmp_path)]) == 1
    assert "test_vacuous: asserts nothing" in capsys.readouterr().out


def test_the_project_tests_all_assert(capsys) -> None:  # type: ignore[no-untyped-def]
    assert main([str(Path(__file__).parent)]) == 0, capsys.readouterr().out
