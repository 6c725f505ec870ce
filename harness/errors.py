"""Errors the CLI shows to the user as one line (no traceback)."""


class UserError(Exception):
    """Bad input or configuration; the message names the file/line/field or flag at fault."""
