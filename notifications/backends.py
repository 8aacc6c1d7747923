"""An SMTP backend that tells "not sent" from "maybe sent".

Django's SMTP backend raises the same timeout whether the server never got the message or
got it all and was slow to acknowledge. Only one moment is uncertain: after the whole message
and its final "." went out, while waiting for the server's reply. A refusal of the DATA
command itself, or a failure before the message was complete, is a plain "not sent". This
backend raises `DeliveryUncertain` for the uncertain moment only, so the outbox retries such a
row once, late, with the same Message-ID.

RFC 5321 (4.5.3.2.6) gives a server 10 minutes to answer the final "."; relays that scan
content take tens of seconds under load. That one wait uses `EMAIL_DATA_TIMEOUT` (60 s),
longer than `EMAIL_TIMEOUT` for every other step and shorter than the send task's soft limit.
"""

import smtplib

from django.conf import settings
from django.core.mail.backends.smtp import EmailBackend as DjangoSMTPBackend


class DeliveryUncertain(Exception):
    """The server may have accepted the message: it did not answer the end of DATA."""


class _UncertaintyAware:
    """smtplib's `data()`, with the wait for the final reply told apart."""

    def data(self, msg):
        self.putcmd("data")
        code, reply = self.getreply()
        if code != 354:
            raise smtplib.SMTPDataError(code, reply)  # refused before any content: not sent
        if isinstance(msg, str):
            msg = smtplib._fix_eols(msg).encode("ascii")
        quoted = smtplib._quote_periods(msg)
        if quoted[-2:] != smtplib.bCRLF:
            quoted += smtplib.bCRLF
        self.send(quoted + b"." + smtplib.bCRLF)  # a failure here: the message is incomplete
        if self.sock is not None:
            self.sock.settimeout(settings.EMAIL_DATA_TIMEOUT)
        try:
            return self.getreply()
        except smtplib.SMTPServerDisconnected as exc:
            raise DeliveryUncertain(str(exc)) from exc


class _SMTP(_UncertaintyAware, smtplib.SMTP):
    pass


class _SMTPSSL(_UncertaintyAware, smtplib.SMTP_SSL):
    pass


class EmailBackend(DjangoSMTPBackend):
    @property
    def connection_class(self):
        return _SMTPSSL if self.use_ssl else _SMTP
