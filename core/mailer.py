"""Send plain-text email through SMTP (stdlib smtplib in a worker thread, so the event loop never blocks)."""

from __future__ import annotations

import asyncio
import logging
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import make_msgid

from core.config import SmtpConfig

logger = logging.getLogger(__name__)


class MailError(Exception):
    """The message could not be handed to the mail server; the text is safe to log (no password)."""


class Mailer:
    """Hands one message at a time to the configured SMTP server."""

    def __init__(self, config: SmtpConfig) -> None:
        self._config = config

    async def send(self, to: str, subject: str, body: str) -> None:
        """Send a plain-text message; raises MailError when the server refuses or cannot be reached."""
        message = EmailMessage()
        message["From"] = self._config.from_address
        message["To"] = to
        message["Subject"] = subject
        message["Message-ID"] = make_msgid(domain="interview-insights")
        message.set_content(body)
        await asyncio.to_thread(self._deliver, message)

    def _deliver(self, message: EmailMessage) -> None:
        config = self._config
        try:
            if config.ssl:
                client: smtplib.SMTP = smtplib.SMTP_SSL(
                    config.host,
                    config.port,
                    timeout=config.timeout_seconds,
                    context=ssl.create_default_context(),
                )
            else:
                client = smtplib.SMTP(config.host, config.port, timeout=config.timeout_seconds)
            with client:
                if config.starttls and not config.ssl:
                    client.starttls(context=ssl.create_default_context())
                if config.username:
                    client.login(config.username, config.password)
                client.send_message(message)
        except (OSError, smtplib.SMTPException) as exc:
            # smtplib errors never include the password; keep only the class and the server's words.
            logger.warning("could not send mail via %s:%s: %s", config.host, config.port, exc)
            raise MailError(f"{type(exc).__name__}: {exc}") from None
