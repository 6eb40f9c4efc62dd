"""E-mail notifications over SMTP (the standard library's ``smtplib`` and ``email``).

Settings: ``CONFIANCE_SMTP_HOST``, ``_PORT``, ``_USERNAME``, ``_PASSWORD``, ``_STARTTLS``
and ``_FROM``. With STARTTLS the server's certificate is verified. The password is never
logged, and an error says what failed without it (E724).
"""

from __future__ import annotations

import base64
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from confiance.core.errors import ConfianceError
from confiance.core.settings import Settings
from confiance.listen.alerts.message import AlertMessage


class EmailNotifier:
    """Sends messages to ``email`` channels (built-in notifier)."""

    kind = "email"

    def __init__(
        self,
        *,
        host: str,
        port: int,
        sender: str,
        username: str = "",
        password: str = "",
        starttls: bool = True,
        timeout: float = 10.0,
    ) -> None:
        self._host, self._port, self._sender = host, port, sender
        self._username, self._password = username, password
        self._starttls, self._timeout = starttls, timeout

    @classmethod
    def from_settings(cls, settings: Settings) -> EmailNotifier:
        """The notifier of an installation (``CONFIANCE_SMTP_*``)."""
        return cls(
            host=settings.smtp_host,
            port=settings.smtp_port,
            sender=settings.smtp_from,
            username=settings.smtp_username,
            password=settings.smtp_password.get_secret_value(),
            starttls=settings.smtp_starttls,
            timeout=settings.notify_timeout_s,
        )

    def __repr__(self) -> str:
        return f"EmailNotifier(host={self._host!r}, port={self._port}, sender={self._sender!r})"

    def compose(self, message: AlertMessage) -> EmailMessage:
        """The e-mail: plain text and HTML alternatives, marked as sent by a program."""
        mail = EmailMessage()
        mail["Subject"] = message.subject
        mail["From"] = self._sender
        mail["To"] = message.target
        mail["Date"] = formatdate(usegmt=True)
        mail["Message-ID"] = make_msgid(domain=self._sender.rpartition("@")[2] or None)
        mail["Auto-Submitted"] = "auto-generated"
        if message.alert_ids:
            mail["X-Confiance-Alerts"] = ",".join(str(i) for i in message.alert_ids[:50])
        mail.set_content(message.text)
        mail.add_alternative(message.html, subtype="html")
        return mail

    def send(self, message: AlertMessage) -> None:
        """Send the message through the SMTP server; E724 when that fails."""
        try:
            mail = self.compose(message)
            with smtplib.SMTP(self._host, self._port, timeout=self._timeout) as smtp:
                if self._starttls:
                    smtp.starttls(context=ssl.create_default_context())
                if self._username:
                    smtp.login(self._username, self._password)
                smtp.send_message(mail)
        except (smtplib.SMTPException, OSError, ValueError) as exc:
            raise ConfianceError(
                "E724", host=self._host, port=self._port, detail=self._describe(exc)
            ) from None

    def _describe(self, exc: BaseException) -> str:
        """What went wrong, in a line that holds no secret."""
        if isinstance(exc, smtplib.SMTPResponseException):
            reply = (
                exc.smtp_error.decode("utf-8", "replace")
                if isinstance(exc.smtp_error, bytes)
                else str(exc.smtp_error)
            )
            detail = f"{type(exc).__name__} {exc.smtp_code} {reply}"
        elif isinstance(exc, smtplib.SMTPRecipientsRefused):
            detail = f"{type(exc).__name__}: the server refused the recipient"
        else:
            detail = f"{type(exc).__name__}: {exc}"
        return scrub(" ".join(detail.split())[:300], self._secrets())

    def _secrets(self) -> list[str]:
        if not self._password:
            return []
        plain = f"\0{self._username}\0{self._password}".encode()
        return [
            self._password,
            base64.b64encode(plain).decode(),
            base64.b64encode(self._password.encode()).decode(),
        ]


def scrub(text: str, secrets: list[str]) -> str:
    """``text`` with every secret replaced by ``***``."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return text
