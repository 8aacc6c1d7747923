"""View decorators: who may reach partner pages and who may take GCC actions."""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from .selectors import membership_for_user


def request_membership(request):
    """The signed-in user's membership, looked up once per request."""
    if not hasattr(request, "_membership"):
        request._membership = membership_for_user(user=request.user)
    return request._membership


def partner_member_required(view):
    """Signed-in partner users only; the membership is at `request.membership`."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        membership = request_membership(request)
        if membership is None:
            raise PermissionDenied(
                _(
                    "This area is for partner organizations. Your account is not a member of "
                    "any partner organization; reviewers work in the administration site."
                )
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
            raise PermissionDenied(
                _(
                    "Your role (%(role)s) can't take GCC actions. Only Admin agents and Sales "
                    "agents can; ask one of them."
                )
                % {"role": membership.get_role_display()}
            )
        return view(request, *args, **kwargs)

    return wrapper
