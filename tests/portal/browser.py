"""What end-to-end tests watch in a page (the server and browser helpers are in `bench.browser`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class PageWatch:
    """What a page did that it must not: dialogs (alert...), script errors, CSP violations."""

    dialogs: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def attach(self, page: Any) -> None:
        """Record the page's dialogs (dismissing them), uncaught errors and CSP reports."""

        def on_dialog(dialog: Any) -> None:
            self.dialogs.append(f"{dialog.type}: {dialog.message}")
            dialog.dismiss()

        def on_console(message: Any) -> None:
            text = message.text
            if message.type == "error" or "Content Security Policy" in text:
                self.errors.append(text)

        page.on("dialog", on_dialog)
        page.on("pageerror", lambda error: self.errors.append(f"page error: {error}"))
        page.on("console", on_console)
