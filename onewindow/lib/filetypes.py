"""File types told by their first bytes and confirmed by parsing them, not by their names (an .exe
renamed .pdf is an .exe)."""

from __future__ import annotations

import io

from PIL import Image
from pypdf import PdfReader

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


def opens(content: bytes, mime: str) -> bool:
    """Whether a parser of the type ``sniff`` told opens the content: pypdf reads a PDF's page
    tree, Pillow a JPEG's or PNG's header and chunks. Right first bytes in front of anything else
    (a renamed executable behind ``%PDF-``, a truncated scan) are not a file a reviewer can read."""
    try:
        if mime == "application/pdf":
            return _pdf_opens(content)
        return _image_opens(content, mime)
    except Exception:  # every parser error is a refusal, never a 500
        return False


def _pdf_opens(content: bytes) -> bool:
    reader = PdfReader(io.BytesIO(content))
    if reader.is_encrypted and not reader.decrypt(""):
        return False  # only owner-password (permission) encryption opens for the reviewer
    return len(reader.pages) > 0


def _image_opens(content: bytes, mime: str) -> bool:
    with Image.open(io.BytesIO(content)) as image:
        if Image.MIME.get(image.format or "") != mime:
            return False
        image.verify()  # checks the structure (PNG chunk CRCs) without decoding every pixel
    with Image.open(io.BytesIO(content)) as image:
        if mime == "image/jpeg":  # decode at 1/8 scale: every byte is read, a tenth of the memory
            image.draft("RGB", (max(1, image.width // 8), max(1, image.height // 8)))
        image.load()  # a truncated JPEG or PNG fails here
    return True
