"""User-facing errors: one line that names the problem (file, line, field), no traceback."""


class UserError(Exception):
    """Bad input or environment the user can fix; the CLI prints the message and exits non-zero."""
