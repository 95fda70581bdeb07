"""File types told by their first bytes, not by their names (an .exe renamed .pdf is an .exe)."""

from __future__ import annotations

SIGNATURES: dict[str, tuple[bytes, ...]] = {
    "application/pdf": (b"%PDF-",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
}
EXTENSIONS = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}


def sniff(head: bytes) -> str | None:
    """The MIME type whose signature ``head`` starts with, or None."""
    for mime, signatures in SIGNATURES.items():
        if any(head.startswith(signature) for signature in signatures):
            return mime
    return None
