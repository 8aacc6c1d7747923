"""Two-step verification in tests: the current code of an authenticator app, and the test
client whose `force_login` is a session past sign-in, second factor included.

`force_login` stands for "signed in": for a user who must use two-step verification (staff,
members of an organization that requires it) or has set it up, that includes the code step,
so this client gives such a user a confirmed authenticator app if they have none and marks the
session as verified by it. The MFA tests themselves (tests/accounts/test_mfa.py) post the
password and then the code, never this shortcut.
"""

import time

from django.contrib.auth import SESSION_KEY
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.mfa import mfa_status

# The key of every authenticator app the tests create (hex, as TOTPDevice stores it).
TEST_TOTP_KEY = "3132333435363738393031323334353637383930"


def authenticator_of(user) -> TOTPDevice:
    """`user`'s confirmed authenticator app, created with the tests' key if they have none."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device or TOTPDevice.objects.create(
        user=user, name="Authenticator app", key=TEST_TOTP_KEY, confirmed=True
    )


def totp_code(device: TOTPDevice) -> str:
    """A code `device` accepts now: the current time step's, or the next one's when the
    current one was used already (a code works once); waits for the next step if both were."""
    while True:
        device.refresh_from_db()
        now_t = (int(time.time()) - device.t0) // device.step + device.drift
        for t in (now_t, now_t + 1):
            if t > device.last_t:
                totp = TOTP(device.bin_key, device.step, device.t0, device.digits)
                totp.time = device.t0 + t * device.step
                return f"{totp.token():0{device.digits}d}"
        time.sleep(device.step - time.time() % device.step + 0.1)


def session_verify(client: Client, user) -> None:
    """Mark `client`'s session (signed in as `user`) as past the second factor, if `user`
    needs one."""
    has_app, required = mfa_status(user)
    if not (has_app or required):
        return
    device = authenticator_of(user)
    session = client.session
    assert session[SESSION_KEY] == str(user.pk)
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


class PortalClient(Client):
    """django.test.Client whose force_login is a session past sign-in, second factor
    included."""

    def force_login(self, user, backend=None) -> None:
        super().force_login(user, backend)
        session_verify(self, user)
