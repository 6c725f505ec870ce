"""Errors the CLI reports to the user as one line (no traceback)."""


class UserError(Exception):
    """Bad input or configuration; the message names the file/line/field at fault."""
