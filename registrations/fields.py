"""Form fields shared by the public forms and the admin."""

from __future__ import annotations

from django import forms

from registrations.validators import normalise_handle

# Room for a pasted profile link (https://x.com/Name?s=20); the handle inside has at most 15 characters.
PASTE_LENGTH = 100


class XHandleField(forms.CharField):
    """An X handle as people paste it (@Name, a profile link), cleaned to the bare handle ``Name``.

    Not the model field's 15-character limit: browsers would cut a pasted link to 15 characters before
    normalise_handle could read the handle out of it, and then enforces X's own rules.
    """

    def __init__(self, **kwargs) -> None:
        kwargs["max_length"] = PASTE_LENGTH
        kwargs.setdefault("widget", forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}))
        super().__init__(**kwargs)

    def clean(self, value: str) -> str:
        value = super().clean(value)
        # Empty only where the field is optional (the admin, for a withdrawn entry that has no handle left).
        return normalise_handle(value) if value else value
