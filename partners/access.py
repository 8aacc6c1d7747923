"""View decorators: who may reach partner pages and who may take GCC actions.

A refusal is expected (a Helpdesk agent following an old link, a reviewer opening a partner
page), not an error: the 403 page says why, and the log gets one line at WARNING on this
module's logger (who, what, why), not Django's "Forbidden (Permission denied)" traceback.
"""

import logging
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.urls import get_resolver, get_urlconf
from django.utils.log import log_response
from django.utils.translation import gettext as _

from .models import Membership
from .selectors import membership_for_user

logger = logging.getLogger(__name__)


def request_membership(request):
    """The signed-in user's membership, looked up once per request."""
    if not hasattr(request, "_membership"):
        request._membership = membership_for_user(user=request.user)
    return request._membership


def refusal_response(request, *, message: str, log_reason: str):
    """The 403 page (the project's handler403) showing `message`, logged as one line: the
    request, the user's id and `log_reason` (English, for the log; `message` is the user's)."""
    handler = get_resolver(get_urlconf()).resolve_error_handler(403)
    response = handler(request, exception=PermissionDenied(message))
    # log_response marks the response as logged: Django's handler doesn't log it again.
    log_response(
        "Forbidden (%s): %s %s, user %s",
        log_reason,
        request.method,
        request.path,
        request.user.pk,
        response=response,
        request=request,
        logger=logger,
        level="warning",
    )
    return response


def partner_member_required(view):
    """Signed-in partner users only; the membership is at `request.membership`."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        membership = request_membership(request)
        if membership is None:
            return refusal_response(
                request,
                message=_(
                    "This area is for partner organizations. Your account is not a member of "
                    "any partner organization; reviewers work in the administration site."
                ),
                log_reason="not a partner organization member",
            )
        request.membership = membership
        request.organization = membership.organization
        return view(request, *args, **kwargs)

    return wrapper


def gcc_action_required(view):
    """Partner users whose role may take GCC actions (Admin agent, Sales agent)."""

    @partner_member_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        membership = request.membership
        if not membership.can_take_gcc_actions:
            return refusal_response(
                request,
                message=_(
                    "Your role (%(role)s) can't take GCC actions. Only Admin agents and Sales "
                    "agents can; ask one of them."
                )
                % {"role": membership.get_role_display()},
                log_reason=f"role {membership.role} can't take GCC actions",
            )
        return view(request, *args, **kwargs)

    return wrapper


def admin_agent_required(*, message: str, log_reason: str):
    """The organization's Admin agent only; others get the 403 page with `message` (lazy)."""

    def decorator(view):
        @wraps(view)
        @partner_member_required
        def wrapper(request, *args, **kwargs):
            if request.membership.role != Membership.Role.ADMIN_AGENT:
                return refusal_response(request, message=str(message), log_reason=log_reason)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
