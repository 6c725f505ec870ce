"""Errors the CLI turns into a one-line message and a non-zero exit."""


class UserError(Exception):
    """Bad input from the user (a file, a flag, a field); the message names where."""
