"""Errors the CLI turns into a one-line message and a non-zero exit."""


class UserError(Exception):
    """Bad input from the user (a flag, a file, a server answer); the message is one line naming what is wrong."""
