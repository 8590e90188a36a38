"""The organizers' desk in Django admin, one module per subject; importing them registers their admins."""

from desk.admin import domains, edition, imports, location, mailing, otp, registration, reminder  # noqa: F401
