"""The printed posters' address: the agency's short public URL, and how it is shown (its QR code
is drawn by core.qr)."""

from feedback.core.public_urls import public_base_url


def short_url(agency_code: str) -> str:
    """The stable public address of the survey at an agency (docs/pages.md: /s/<agency-code>)."""
    return f"{public_base_url()}/s/{agency_code}"


def display_url(url: str) -> str:
    """The URL as people type it: without the scheme, which browsers add by themselves."""
    for scheme in ("https://", "http://"):
        if url.startswith(scheme):
            return url[len(scheme):]
    return url
