"""The signed-in user's membership, read before the second-factor check when that check needs
the user's two-step verification status: one query gives both (partners.selectors.
membership_for_user), where the check would otherwise make its own (accounts.mfa.mfa_status)."""

from accounts.mfa import MFA_STATUS_ATTRIBUTE

from .access import request_membership
from .selectors import membership_mfa_status


class MembershipMiddleware:
    """After the session timeout (a signed-out session reads nothing) and before
    accounts.mfa.SecondFactorRequiredMiddleware. Only for a session that has not passed a
    second factor: the check asks its status then; a verified session's membership is read
    when a page asks for it, as before."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated and not user.is_verified():
            membership = request_membership(request)
            if membership is not None:  # (else the check reads the status itself)
                # On this request's user only: read again on the next request.
                status = membership_mfa_status(membership=membership, user=user)
                setattr(user, MFA_STATUS_ATTRIBUTE, status)
        return self.get_response(request)
