"""An SMTP backend that tells "not sent" from "maybe sent".

Django's SMTP backend raises the same timeout whether the server never got the message or
got it all and was slow to acknowledge. Once the end of DATA has gone out, the server may
have accepted the email: resending at once would deliver it twice. This backend raises
`DeliveryUncertain` for a failure during DATA, so the outbox retries such a row once, late,
with the same Message-ID.
"""

import smtplib

from django.core.mail.backends.smtp import EmailBackend as DjangoSMTPBackend


class DeliveryUncertain(Exception):
    """The server may have accepted the message: it failed to answer the DATA command."""


class EmailBackend(DjangoSMTPBackend):
    def open(self):
        opened = super().open()
        if self.connection is not None and not getattr(self.connection, "_gcc_data_guarded", 0):
            data = self.connection.data

            def guarded_data(msg):
                try:
                    return data(msg)
                except (OSError, smtplib.SMTPServerDisconnected) as exc:
                    raise DeliveryUncertain(repr(exc)) from exc

            self.connection.data = guarded_data
            self.connection._gcc_data_guarded = 1
        return opened
