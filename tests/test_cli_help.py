"""Every subcommand's ``--help`` says what it does and shows how it is used."""

from __future__ import annotations

import argparse
import shlex

import pytest

from generator.cli import _argument_parser, main

COMMANDS = ["validate", "generate", "plan", "check", "diff", "mock"]


def test_every_command_is_documented() -> None:
    (subparsers,) = [
        action
        for action in _argument_parser()._actions
        if isinstance(action, argparse._SubParsersAction)
    ]
    assert sorted(subparsers.choices) == sorted(COMMANDS)


@pytest.mark.parametrize("command", COMMANDS)
def test_help_has_a_description_and_examples_that_parse(
    command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([command, "--help"]) == 0
    text = capsys.readouterr().out
    usage, description, *_ = text.split("\n\n")
    assert usage.startswith(f"usage: lapgen {command}")
    assert len(description.split()) >= 12, description
    examples = text.split("examples:\n", 1)[1].splitlines()
    invocations = [line.split("lapgen ", 1)[1] for line in examples if "lapgen " in line]
    assert any(line.startswith(command) for line in invocations), examples
    for invocation in invocations:
        argv = shlex.split(invocation.split("#")[0].split("|")[0].split(">")[0])
        # Every example is a valid command line (argparse exits on an invalid one).
        parsed = _argument_parser().parse_args(argv)
        assert parsed.run is not None
