"""The eligibility pre-check: the rules that tell a partner, before it submits a customer
validation request, whether the customer is likely eligible for GCC, why, and which documents
the review team will ask for; and the signed token that carries the answers from the
questionnaire to the request form.

The rules (`eligibility_assess`) are a pure function of the answers: no database, no clock,
no request. They follow Partner Center's eligibility criteria
(reference/partner-center.md §1): a US government entity acting as such (federal, state,
local, tribal, territorial), or a private organization that handles regulated US government
data (ITAR, CUI, CJI, DoD Impact Level data, DoD or DoE UCNI, other data that requires Azure
Government) — from outside the United States only with a verified US presence. Government
entities outside the United States are excluded. The outcome is advice ("likely"): the
review team decides, and a partner may submit whatever the outcome.

Reasons and documents are codes with their parameters, told in sentences in the reader's
language when shown (`Finding.message`); the answers are what a submitted request stores,
so its page and the reviewer's show the same assessment the partner saw.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field

from django.core import signing
from django.utils.translation import gettext_lazy as _

from customers.forms import US_STATES

from .models import CustomerValidationRequest

OrganizationType = CustomerValidationRequest.OrganizationType
RegulatedData = CustomerValidationRequest.RegulatedData
Outcome = CustomerValidationRequest.EligibilityOutcome

# -- the questions' answers ------------------------------------------------------------------

GOVERNMENT_KINDS = (
    OrganizationType.FEDERAL,
    OrganizationType.STATE,
    OrganizationType.LOCAL,
    OrganizationType.TRIBAL,
    OrganizationType.TERRITORIAL,
)
PRIVATE = "private"
FOREIGN_GOVERNMENT = "foreign_government"
# "What kind of organization is the customer?": the request's government types, then the
# two kinds the request has no type for (a private organization is "private_regulated" only
# once it says which regulated data it handles).
CUSTOMER_KINDS = [
    *((kind.value, kind.label) for kind in GOVERNMENT_KINDS),
    (PRIVATE, _("Private organization, for example a government contractor")),
    (FOREIGN_GOVERNMENT, _("Government entity outside the United States")),
]

NO_REGULATED_DATA = "none"
REGULATED_DATA_CHOICES = [
    *RegulatedData.choices,
    (NO_REGULATED_DATA, _("None of these")),
]

LOCATION_US = "us"
LOCATION_US_PRESENCE = "us_presence"
LOCATION_NO_US_PRESENCE = "no_us_presence"
LOCATIONS = [
    (LOCATION_US, _("In the United States")),
    (
        LOCATION_US_PRESENCE,
        _("Outside the United States, with a US presence (a US office or legal entity)"),
    ),
    (LOCATION_NO_US_PRESENCE, _("Outside the United States, with no US presence")),
]

AGREEMENT_YES = "yes"
AGREEMENT_NO = "no"
AGREEMENT_UNSURE = "unsure"
AGREEMENTS = [
    (AGREEMENT_YES, _("Yes")),
    (AGREEMENT_NO, _("No")),
    (AGREEMENT_UNSURE, _("I don't know")),
]

ANSWER_FIELDS = (
    "organization_legal_name",
    "government_domain",
    "customer_kind",
    "regulated_data",
    "location",
    "agreement",
)

# Domains the review team can match to a US government entity at sight: .gov and .mil, and
# the state and locality domains under a state's or territory's .us (ci.springfield.il.us,
# k12.va.us, state.ny.us). Any other .us (example.us) is open to anyone.
US_GOVERNMENT_SUFFIXES = (".gov", ".mil")
US_STATE_LABELS = frozenset(code.lower() for code, _name in US_STATES)

# -- what the rules say ----------------------------------------------------------------------

REASONS = {
    "government_entity": _(
        "You said the customer is a %(type)s. A US government entity acting as such is "
        "eligible for GCC."
    ),
    "domain_not_government": _(
        "Its domain, %(domain)s, is not a US government domain (.gov, .mil or a state's .us "
        "domain), so the review team relies on the documents to confirm its government status."
    ),
    "foreign_government": _(
        "Government entities outside the United States are not eligible for GCC: it serves "
        "US government entities and the organizations that handle their regulated data."
    ),
    "regulated_private": _(
        "A private organization that handles regulated US government data (%(data)s) is "
        "eligible for GCC."
    ),
    "no_regulated_data": _(
        "A private organization is eligible only if it handles regulated US government data, "
        "such as ITAR, CUI or CJI data. You said it handles none of these."
    ),
    "no_us_presence": _(
        "An organization outside the United States is eligible only with a verified US "
        "presence, such as a US office or legal entity. You said it has none."
    ),
    "us_presence": _(
        "The customer is outside the United States, so the review team also checks its US presence."
    ),
    "no_agreement": _(
        "Regulated government data other than ITAR data is handled under a contract, "
        "subcontract or agreement with the US government agency it belongs to. You said the "
        "customer has none, so the review team is likely to refuse the request."
    ),
    "agreement_unsure": _(
        "Find the customer's contract or agreement with the US government agency before you "
        "submit: the review team asks for it."
    ),
}

DOCUMENTS = {
    "government_status": _(
        "Proof that the customer is a US government entity: the law, charter or ordinance "
        "that establishes it, or a letter on its official letterhead signed by an authorized "
        "official."
    ),
    "itar_registration": _(
        "The customer's ITAR registration with the US State Department's Directorate of "
        "Defense Trade Controls (DDTC), or the export licence or contract that covers its "
        "ITAR data."
    ),
    "cui_contract": _(
        "The US government contract or subcontract that requires the customer to protect CUI, "
        "for example one with the DFARS 252.204-7012 clause."
    ),
    "cji_agreement": _(
        "The agreement with a US criminal justice agency that gives the customer access to "
        "CJI, for example the CJIS Security Addendum it signed."
    ),
    "dod_il_contract": _(
        "The Department of Defense contract or sponsorship letter that states the Impact "
        "Level of the data the customer handles."
    ),
    "ucni_authorization": _(
        "The contract or letter from the Department of Defense or the Department of Energy "
        "that authorizes the customer to handle UCNI."
    ),
    "agency_letter": _(
        "A letter from the US government agency whose data the customer handles, saying which "
        "data must be kept in a government cloud and why."
    ),
    "us_presence_proof": _(
        "Proof of the customer's US presence: the registration of its US legal entity or the "
        "lease of its US office."
    ),
}

# Which document each kind of regulated data calls for (both UCNI kinds: one document).
DATA_DOCUMENTS = {
    RegulatedData.ITAR: "itar_registration",
    RegulatedData.CUI: "cui_contract",
    RegulatedData.CJI: "cji_agreement",
    RegulatedData.DOD_IL: "dod_il_contract",
    RegulatedData.DOD_UCNI: "ucni_authorization",
    RegulatedData.DOE_UCNI: "ucni_authorization",
    RegulatedData.OTHER: "agency_letter",
}


@dataclass(frozen=True)
class Finding:
    """A reason or a document: its code and the values its sentence names."""

    code: str
    params: Mapping[str, str] = field(default_factory=dict)

    @property
    def message(self) -> str:
        template = REASONS.get(self.code) or DOCUMENTS[self.code]
        return str(template) % dict(self.params) if self.params else str(template)


@dataclass(frozen=True)
class Assessment:
    outcome: str
    reasons: tuple[Finding, ...]
    documents: tuple[Finding, ...]
    # The request form's first answers (its field names).
    prefill: Mapping[str, object]


def _is_us_government_domain(domain: str) -> bool:
    domain = domain.lower()
    if domain.endswith(US_GOVERNMENT_SUFFIXES):
        return True
    labels = domain.split(".")
    # <name>.<state>.us: at least one name under the state's own domain.
    return len(labels) >= 3 and labels[-1] == "us" and labels[-2] in US_STATE_LABELS


def _data_labels(data: list[str]) -> str:
    return ", ".join(str(RegulatedData(value).label) for value in data)


def eligibility_assess(answers: Mapping[str, object]) -> Assessment:
    """The outcome of the pre-check's `answers` (the questionnaire's cleaned data, or a
    request's stored `eligibility_answers`): likely eligible or not, the reasons, the
    documents the review team will ask for, and the request form's first answers.

    - US federal, state, local, tribal or territorial entity: likely eligible; proof of
      government status (a domain outside .gov, .mil and .us is said to lean on it).
    - Government entity outside the United States: likely ineligible; no document.
    - Private organization: likely ineligible when it handles no regulated data, when it is
      outside the United States with no US presence, or when no agency agreement covers
      its data and none of it is ITAR data; else likely eligible. Documents: one per kind of
      data (UCNI's two kinds share one), and proof of the US presence from outside the US.
    """
    kind = str(answers.get("customer_kind") or "")
    domain = str(answers.get("government_domain") or "")
    prefill: dict[str, object] = {
        "organization_legal_name": answers.get("organization_legal_name") or "",
        "government_domain": domain,
    }
    if kind in GOVERNMENT_KINDS:
        reasons = [Finding("government_entity", {"type": str(OrganizationType(kind).label)})]
        if domain and not _is_us_government_domain(domain):
            reasons.append(Finding("domain_not_government", {"domain": domain}))
        return Assessment(
            outcome=Outcome.LIKELY_ELIGIBLE,
            reasons=tuple(reasons),
            documents=(Finding("government_status"),),
            prefill={**prefill, "organization_type": kind, "regulated_data": []},
        )
    if kind != PRIVATE:
        # A government entity outside the United States: the request has no type for it.
        return Assessment(
            outcome=Outcome.LIKELY_INELIGIBLE,
            reasons=(Finding("foreign_government"),),
            documents=(),
            prefill=prefill,
        )

    data = [value for value in answers.get("regulated_data") or () if value in RegulatedData.values]
    location = answers.get("location")
    agreement = answers.get("agreement")
    prefill = {
        **prefill,
        "organization_type": OrganizationType.PRIVATE_REGULATED,
        "regulated_data": data,
    }
    problems = []
    if not data:
        problems.append(Finding("no_regulated_data"))
    if location == LOCATION_NO_US_PRESENCE:
        problems.append(Finding("no_us_presence"))
    # ITAR data is held under export regulations, not an agency's contract: its registration
    # is the evidence. Every other kind comes with an agreement with the agency it belongs to.
    if data and agreement == AGREEMENT_NO and RegulatedData.ITAR not in data:
        problems.append(Finding("no_agreement"))

    documents = []
    for value in data:
        document = Finding(DATA_DOCUMENTS[RegulatedData(value)])
        if document not in documents:
            documents.append(document)
    if location == LOCATION_US_PRESENCE:
        documents.append(Finding("us_presence_proof"))

    if problems:
        return Assessment(
            outcome=Outcome.LIKELY_INELIGIBLE,
            reasons=tuple(problems),
            documents=tuple(documents),
            prefill=prefill,
        )
    reasons = [Finding("regulated_private", {"data": _data_labels(data)})]
    if location == LOCATION_US_PRESENCE:
        reasons.append(Finding("us_presence"))
    if agreement == AGREEMENT_UNSURE:
        reasons.append(Finding("agreement_unsure"))
    return Assessment(
        outcome=Outcome.LIKELY_ELIGIBLE,
        reasons=tuple(reasons),
        documents=tuple(documents),
        prefill=prefill,
    )


def eligibility_answers_display(answers: Mapping[str, object]) -> list[tuple[str, str]]:
    """(question, answer) of stored answers, in the reader's language: for the request's
    page and the reviewer's."""
    kinds = dict(CUSTOMER_KINDS)
    data = dict(REGULATED_DATA_CHOICES)
    rows = [
        (_("Customer's legal name"), answers.get("organization_legal_name") or ""),
        (_("Customer's domain"), answers.get("government_domain") or ""),
        (_("Kind of organization"), kinds.get(answers.get("customer_kind"), "")),
    ]
    if answers.get("customer_kind") == PRIVATE:
        rows += [
            (
                _("Regulated government data it handles"),
                ", ".join(str(data.get(value, value)) for value in answers.get("regulated_data")),
            ),
            (_("Where the organization is"), dict(LOCATIONS).get(answers.get("location"), "")),
            (
                _("Contract or agreement with a US government agency"),
                dict(AGREEMENTS).get(answers.get("agreement"), ""),
            ),
        ]
    return [(str(question), str(answer)) for question, answer in rows]


def eligibility_summary(answers: Mapping[str, object], *, outcome: str = "") -> dict:
    """What a page shows of a pre-check: the outcome (`outcome`, a request's stored one, else
    the rules'), its heading, the reasons and documents in sentences, the answers."""
    assessment = eligibility_assess(answers)
    outcome = outcome or assessment.outcome
    return {
        "outcome": outcome,
        "outcome_label": Outcome(outcome).label,
        "heading": outcome_heading(outcome),
        "likely_eligible": outcome == Outcome.LIKELY_ELIGIBLE,
        "reasons": [finding.message for finding in assessment.reasons],
        "documents": [finding.message for finding in assessment.documents],
        "answers": eligibility_answers_display(answers),
    }


def eligibility_of_request(request: CustomerValidationRequest) -> dict | None:
    """The pre-check a submitted request was stored with (`eligibility_summary`), for its
    page and the reviewer's; None when no check was made."""
    if not request.eligibility_outcome:
        return None
    return eligibility_summary(request.eligibility_answers, outcome=request.eligibility_outcome)


# -- the request the answers go with ---------------------------------------------------------

# Each government kind is the request's type of the same name; a private organization is
# the request's "private_regulated" (a government outside the US has no type).
KIND_ORGANIZATION_TYPES = {
    **{kind.value: kind.value for kind in GOVERNMENT_KINDS},
    PRIVATE: OrganizationType.PRIVATE_REGULATED.value,
}

CHECK_AGAIN = _("Check this customer again, or remove the check to submit without it.")
MISMATCHES = {
    "government_domain": _("The eligibility check was made for %(domain)s."),
    "organization_type": _(
        "The eligibility check was made for another kind of organization: %(kind)s."
    ),
    "regulated_data": _("The eligibility check was made for other regulated data: %(data)s."),
}


def eligibility_mismatches(
    answers: Mapping[str, object],
    *,
    government_domain: str | None,
    organization_type: str | None,
    regulated_data: list[str] | None,
) -> dict[str, str]:
    """Where a request differs from the customer its pre-check `answers` were given about:
    {request field: the sentence that says so}. A request stores its check's outcome, so a
    check of one customer must not travel with another (or a changed) customer's request.
    The domain and the kind are compared; the regulated data too when the check named some
    (a check that said "none of these" is likely ineligible: nothing to carry over). A value
    the request form refused already (None) is not compared."""
    problems = {}
    checked_domain = str(answers.get("government_domain") or "")
    if government_domain is not None and government_domain.lower() != checked_domain.lower():
        problems["government_domain"] = MISMATCHES["government_domain"] % {"domain": checked_domain}
    kind = answers.get("customer_kind")
    expected_type = KIND_ORGANIZATION_TYPES.get(kind)
    if organization_type and expected_type and organization_type != expected_type:
        problems["organization_type"] = MISMATCHES["organization_type"] % {
            "kind": dict(CUSTOMER_KINDS)[kind]
        }
    checked_data = [
        value for value in answers.get("regulated_data") or () if value in RegulatedData.values
    ]
    if (
        kind == PRIVATE
        and organization_type == OrganizationType.PRIVATE_REGULATED
        and checked_data
        and regulated_data is not None
        and set(regulated_data) != set(checked_data)
    ):
        problems["regulated_data"] = MISMATCHES["regulated_data"] % {
            "data": _data_labels(checked_data)
        }
    return {name: f"{message} {CHECK_AGAIN}" for name, message in problems.items()}


# -- the signed answers ----------------------------------------------------------------------

SALT = "customers.validations.eligibility"
# Long enough for a partner to gather the documents the result lists, then come back.
TOKEN_MAX_AGE_SECONDS = 7 * 24 * 3600


class EligibilityTokenInvalid(Exception):
    """Answers that can't be read: altered, expired, or another organization's."""


def eligibility_token_make(*, organization_id: int, answers: Mapping[str, object]) -> str:
    """The answers, signed for `organization_id`: what the session keeps for the result page
    and the request form carries (a hidden field, posted), which nobody can alter unnoticed.
    Never in a URL: the answers name the customer (views.py)."""
    payload = {"org": organization_id, "answers": {k: answers.get(k) for k in ANSWER_FIELDS}}
    return signing.dumps(payload, salt=SALT, compress=True)


def eligibility_token_read(token: str, *, organization_id: int) -> dict:
    """The answers `token` carries, if it was made for `organization_id`; else
    EligibilityTokenInvalid (one organization's answers never show to another)."""
    try:
        payload = signing.loads(token, salt=SALT, max_age=TOKEN_MAX_AGE_SECONDS)
    except signing.BadSignature as exc:  # SignatureExpired is one
        raise EligibilityTokenInvalid from exc
    if not isinstance(payload, dict) or payload.get("org") != organization_id:
        raise EligibilityTokenInvalid
    answers = payload.get("answers")
    if not isinstance(answers, dict):
        raise EligibilityTokenInvalid
    return {name: answers.get(name) for name in ANSWER_FIELDS}


# The result's heading, a whole sentence per outcome.
OUTCOME_HEADINGS = {
    Outcome.LIKELY_ELIGIBLE: _("The customer is likely eligible for GCC."),
    Outcome.LIKELY_INELIGIBLE: _("The customer is likely not eligible for GCC."),
}


def outcome_heading(outcome: str) -> str:
    return str(OUTCOME_HEADINGS[outcome])
