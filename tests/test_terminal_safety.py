"""What lapgen prints cannot steer a terminal or a CI log: file names and edited outputs are
shown with their control, bidi and zero-width characters escaped."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.cli import main

SPEC = "@lap v0.3\n@api Terminal\n@endpoints 1\n@endpoint GET /a\n@returns(200) {a: int}\n@end\n"
# Characters a terminal acts on, or that reorder or hide text.
CONTROLS = st.sampled_from(["\x1b[2K", "\r", "\x07", "\u202e", "\u200b", "\x9b", "\x08"])
NAMES = st.lists(
    st.one_of(CONTROLS, st.text("abc-_ ", min_size=1, max_size=3)), min_size=1, max_size=5
).map("".join)


def invisible(text: str) -> list[str]:
    return [
        char
        for char in text
        if char != "\n" and unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp", "Co", "Cs")
    ]


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(name=NAMES)
def test_file_names_are_escaped_in_every_message(
    name: str, tmp_path_factory: pytest.TempPathFactory, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path_factory.mktemp("names")
    spec = root / f"{name}.lap"
    spec.write_text(SPEC, "utf-8")
    out = root / f"{name}-out"
    runs = [
        ["validate", str(spec)],
        ["validate", str(root / f"{name}-missing.lap"), str(spec)],
        ["generate", str(spec), "-o", str(out)],
        ["check", str(spec), str(out)],
        ["check", str(spec), str(root / f"{name}-nothing")],
    ]
    for argv in runs:
        main(argv)
        captured = capsys.readouterr()
        assert not invisible(captured.out + captured.err), (argv, captured)


def test_an_edited_output_cannot_put_controls_in_the_check_diff(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = tmp_path / "api.lap"
    spec.write_text(SPEC, "utf-8")
    out = tmp_path / "out"
    assert main(["generate", str(spec), "-o", str(out)]) == 0
    readme = out / "README.md"
    readme.write_text(readme.read_text("utf-8") + "\x1b[2Ahidden\x1b[0m\n", "utf-8")
    capsys.readouterr()
    assert main(["check", str(spec), str(out)]) == 1
    captured = capsys.readouterr()
    assert "\\x1b[2Ahidden" in captured.out
    assert not invisible(captured.out + captured.err)


def test_validate_reports_every_file_when_one_is_missing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = tmp_path / "api.lap"
    spec.write_text(SPEC, "utf-8")
    assert main(["validate", str(tmp_path / "missing.lap"), str(spec)]) == 2
    captured = capsys.readouterr()
    assert "missing.lap: error: cannot read" in captured.err
    assert f"{spec}: ok" in captured.out


@pytest.mark.parametrize("port", ["70000", "-1"])
def test_a_port_out_of_range_is_a_usage_error(
    port: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = tmp_path / "api.lap"
    spec.write_text(SPEC, "utf-8")
    assert main(["mock", str(spec), "--port", port]) == 2
    assert "not a TCP port" in capsys.readouterr().err
