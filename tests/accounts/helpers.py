"""Helpers for the accounts tests."""
import re


def field_error(html: str, field: str) -> str:
    """The error text shown under one form field ('' when it has none; templates/_forms.html)."""
    match = re.search(rf'<p class="error" id="{field}-error">(.*?)</p>', html, re.S)
    return match.group(1) if match else ""
