"""The Government Community Cloud qualification, held by partners (`ResellerQualification`)
and by customers (`CustomerQualification`): one value and one label for both.

The value is Partner Center's spelling (its CustomerQualification enum): stored, compared and
sent as is. The label is what a person reads wherever the qualification is named: badges,
profiles, messages, emails and the admin.
"""

from django.utils.translation import gettext_lazy as _

GOVERNMENT_COMMUNITY_CLOUD = "GovernmentCommunityCloud"
GOVERNMENT_COMMUNITY_CLOUD_LABEL = _("Government Community Cloud (GCC)")
