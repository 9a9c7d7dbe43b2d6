"""The few ways reading a file can fail, as exceptions with one-line, data-free messages.

``ccap extract`` turns these into one line on stderr and an exit code, and the service into a
visible state on the submission. Messages name what went wrong with the *file* ("not a PDF,
TIFF, JPEG, PNG or e-mail", "PDF is password-protected"), never anything read from it: no
names, case numbers or attachment file names, which may hold a child's name.

Exit codes are stable: 2 when the file itself cannot be used (unsupported or unreadable, so
retrying will not help), 3 when our OCR engine failed (a machine problem; retrying may help).
"""
from __future__ import annotations


class ExtractError(Exception):
    """Base of every error ``extract`` reports instead of a result."""
    exit_code = 2

    def __init__(self, message: str):
        super().__init__(" ".join(message.split()))      # always exactly one line

    @property
    def message(self) -> str:
        return str(self)


class UnsupportedFile(ExtractError):
    """The file is of a kind we do not read (a Word document, a ZIP, an e-mail without forms)."""


class UnreadableFile(ExtractError):
    """The file is of a kind we read, but it is empty, truncated, corrupt or locked."""


class OcrFailed(ExtractError):
    """Tesseract is missing, crashed or timed out: not the file's fault."""
    exit_code = 3
