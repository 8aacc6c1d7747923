"""The eligibility pre-check before a customer validation request: the rules (a pure
function), the signed answers, the questionnaire and its result, the request form filled in
from the answers, the answers stored with the request and shown to the partner and the
reviewer."""

import re
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from django.core import signing
from django.urls import reverse
from django.utils import translation
from django.utils.translation import trans_real

from customers.validations import eligibility
from customers.validations.admin import CustomerValidationRequestAdmin
from customers.validations.eligibility import (
    EligibilityTokenInvalid,
    Finding,
    eligibility_assess,
    eligibility_token_make,
    eligibility_token_read,
)
from customers.validations.models import CustomerValidationRequest
from tests.factories import (
    CustomerValidationRequestFactory,
    OrganizationFactory,
    ResellerQualificationFactory,
)
from tests.factories import customer_validation_form_data as request_form_data
from tests.helpers import agent_of, role_refusal, snapshot
from tests.html import attr, element, elements, error_of, messages_of, page_text, readonly, text

Outcome = CustomerValidationRequest.EligibilityOutcome
OrganizationType = CustomerValidationRequest.OrganizationType

ELIGIBILITY = "customers:validation_eligibility"
RESULT = "customers:validation_eligibility_result"
CREATE = "customers:validation_create"
CHANGE = "admin:customers_customervalidationrequest_change"


def answers(**overrides) -> dict:
    """Answers of the questionnaire (its cleaned data): a US local government by default."""
    return {
        "organization_legal_name": "City of Springfield",
        "government_domain": "springfield.gov",
        "customer_kind": "local",
        "regulated_data": [],
        "location": "",
        "agreement": "",
        **overrides,
    }


def private(**overrides) -> dict:
    """A private US contractor handling CUI under a contract."""
    return answers(
        **{
            "organization_legal_name": "Acme Defense Systems",
            "government_domain": "acme-defense.com",
            "customer_kind": "private",
            "regulated_data": ["cui"],
            "location": "us",
            "agreement": "yes",
            **overrides,
        }
    )


def posted(values: dict) -> dict:
    """`values` as the browser posts the questionnaire (empty answers left out)."""
    return {key: value for key, value in values.items() if value not in ("", [], None)}


def codes(findings) -> list[str]:
    return [finding.code for finding in findings]


# -- the rules -------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["federal", "state", "local", "tribal", "territorial"])
def test_a_us_government_entity_is_likely_eligible_with_proof_of_its_status(kind):
    # when
    assessment = eligibility_assess(answers(customer_kind=kind, regulated_data=["itar"]))

    # then
    assert assessment.outcome == Outcome.LIKELY_ELIGIBLE
    assert codes(assessment.reasons) == ["government_entity"]
    assert codes(assessment.documents) == ["government_status"]
    assert assessment.prefill == {
        "organization_legal_name": "City of Springfield",
        "government_domain": "springfield.gov",
        "organization_type": kind,
        "regulated_data": [],  # data ticked before choosing a government kind is ignored
    }


def test_the_government_reason_and_document_are_whole_sentences():
    assessment = eligibility_assess(answers(customer_kind="tribal"))
    assert [r.message for r in assessment.reasons] == [
        "You said the customer is a US tribal government entity. A US government entity "
        "acting as such is eligible for GCC."
    ]
    assert [d.message for d in assessment.documents] == [
        "Proof that the customer is a US government entity: the law, charter or ordinance "
        "that establishes it, or a letter on its official letterhead signed by an authorized "
        "official."
    ]


@pytest.mark.parametrize(
    ("domain", "said"),
    [
        ("springfield.gov", False),
        ("army.mil", False),
        ("ci.springfield.il.us", False),
        ("springfield.il.us", False),
        ("k12.va.us", False),
        ("Springfield.IL.US", False),
        ("example.us", True),
        ("il.us", True),
        ("springfield.xx.us", True),
        ("springfield.us", True),
        ("springfield-city.org", True),
    ],
)
def test_a_domain_outside_gov_mil_and_a_states_us_is_said_without_changing_the_outcome(
    domain, said
):
    assessment = eligibility_assess(answers(government_domain=domain))
    assert assessment.outcome == Outcome.LIKELY_ELIGIBLE
    expected = [Finding("domain_not_government", {"domain": domain})] if said else []
    assert list(assessment.reasons[1:]) == expected


def test_a_government_outside_the_us_is_likely_ineligible_and_not_typed():
    assessment = eligibility_assess(answers(customer_kind="foreign_government"))
    assert assessment.outcome == Outcome.LIKELY_INELIGIBLE
    assert codes(assessment.reasons) == ["foreign_government"]
    assert assessment.documents == ()
    assert "organization_type" not in assessment.prefill


def test_a_private_organization_with_regulated_data_is_likely_eligible_with_its_documents():
    # when
    assessment = eligibility_assess(private(regulated_data=["itar", "cui", "cji"]))

    # then
    assert assessment.outcome == Outcome.LIKELY_ELIGIBLE
    assert assessment.reasons == (
        Finding(
            "regulated_private",
            {
                "data": "ITAR (International Traffic in Arms Regulations), CUI (Controlled "
                "Unclassified Information), CJI (Criminal Justice Information)"
            },
        ),
    )
    assert codes(assessment.documents) == ["itar_registration", "cui_contract", "cji_agreement"]
    assert assessment.prefill["organization_type"] == OrganizationType.PRIVATE_REGULATED
    assert assessment.prefill["regulated_data"] == ["itar", "cui", "cji"]


def test_each_kind_of_regulated_data_calls_for_its_document_and_ucni_for_one():
    assessment = eligibility_assess(
        private(regulated_data=["dod_il", "dod_ucni", "doe_ucni", "other"])
    )
    assert codes(assessment.documents) == ["dod_il_contract", "ucni_authorization", "agency_letter"]


def test_a_private_organization_with_no_regulated_data_is_likely_ineligible():
    assessment = eligibility_assess(private(regulated_data=["none"]))
    assert assessment.outcome == Outcome.LIKELY_INELIGIBLE
    assert codes(assessment.reasons) == ["no_regulated_data"]
    assert assessment.documents == ()
    assert assessment.prefill["regulated_data"] == []


def test_a_private_organization_outside_the_us_needs_a_us_presence():
    without = eligibility_assess(private(location="no_us_presence"))
    present = eligibility_assess(private(location="us_presence"))

    assert without.outcome == Outcome.LIKELY_INELIGIBLE
    assert codes(without.reasons) == ["no_us_presence"]
    assert present.outcome == Outcome.LIKELY_ELIGIBLE
    assert codes(present.reasons) == ["regulated_private", "us_presence"]
    assert codes(present.documents) == ["cui_contract", "us_presence_proof"]


def test_without_an_agency_agreement_only_itar_data_stays_likely_eligible():
    cui = eligibility_assess(private(agreement="no"))
    itar = eligibility_assess(private(regulated_data=["itar", "cui"], agreement="no"))
    unsure = eligibility_assess(private(agreement="unsure"))

    assert (cui.outcome, codes(cui.reasons)) == (Outcome.LIKELY_INELIGIBLE, ["no_agreement"])
    assert itar.outcome == Outcome.LIKELY_ELIGIBLE
    assert unsure.outcome == Outcome.LIKELY_ELIGIBLE
    assert codes(unsure.reasons) == ["regulated_private", "agreement_unsure"]


def test_every_problem_of_a_private_organization_is_given():
    assessment = eligibility_assess(private(location="no_us_presence", agreement="no"))
    assert codes(assessment.reasons) == ["no_us_presence", "no_agreement"]


# -- the signed answers ----------------------------------------------------------------------


def test_the_token_gives_the_answers_back_to_its_organization_only():
    token = eligibility_token_make(organization_id=7, answers=private())
    assert eligibility_token_read(token, organization_id=7) == private()
    with pytest.raises(EligibilityTokenInvalid):
        eligibility_token_read(token, organization_id=8)


@pytest.mark.parametrize(
    "token",
    [
        "garbage",
        "",
        # signed, but not with the pre-check's salt
        signing.dumps({"org": 7, "answers": answers()}, compress=True),
    ],
)
def test_an_altered_or_foreign_token_is_refused(token):
    with pytest.raises(EligibilityTokenInvalid):
        eligibility_token_read(token, organization_id=7)


def test_an_altered_answer_breaks_the_signature():
    token = eligibility_token_make(organization_id=7, answers=answers())
    value, signature = token.rsplit(":", 1)
    with pytest.raises(EligibilityTokenInvalid):
        eligibility_token_read(f"{value}x:{signature}", organization_id=7)


def test_an_old_token_is_refused(monkeypatch):
    token = eligibility_token_make(organization_id=7, answers=answers())
    monkeypatch.setattr(eligibility, "TOKEN_MAX_AGE_SECONDS", -1)
    with pytest.raises(EligibilityTokenInvalid):
        eligibility_token_read(token, organization_id=7)


# -- the questionnaire and its result ------------------------------------------------------


def _result_url(response) -> str:
    assert response.status_code == 302, response.content.decode()[:2000]
    assert response["Location"].startswith(reverse(RESULT) + "?check=")
    return response["Location"]


def _continue_url(client, response) -> str:
    """Where the result the questionnaire's `response` leads to continues: the request form."""
    result = client.get(_result_url(response))
    return attr(element(result, id="continue-to-request"), "href")


def _check_id_of(url: str) -> str:
    return parse_qs(urlsplit(url).query)["check"][0]


def _token_of(client, url: str) -> str:
    """The signed answers the session keeps under the check `url` names."""
    return client.session["eligibility_checks"][_check_id_of(url)]


def _kept(client, token: str, check_id: str = "kept-check") -> str:
    """`token` kept in the client's session (as the questionnaire keeps it); its id."""
    session = client.session
    session["eligibility_checks"] = {**session.get("eligibility_checks", {}), check_id: token}
    session.save()
    return check_id


def test_submit_a_new_request_leads_to_the_check_which_can_be_skipped(
    client, sales_agent, gcc_enabled
):
    client.force_login(sales_agent)

    listing = client.get(reverse("customers:validation_list"))
    page = client.get(reverse(ELIGIBILITY))

    [button] = [a for a in elements(listing, tag="a") if text(a) == "Submit a new request"]
    assert attr(button, "href") == reverse(ELIGIBILITY)
    assert page.status_code == 200
    skip = element(page, id="skip-check")
    assert text(skip) == "Already sure? Skip the check and go to the request form."
    assert attr(element(page, tag="a", within=skip), "href") == reverse(CREATE)
    assert element(page, id="eligibility-form") is not None


def test_missing_answers_are_shown_next_to_their_fields(client, sales_agent, gcc_enabled):
    client.force_login(sales_agent)

    empty = client.post(reverse(ELIGIBILITY), {})
    private_only = client.post(
        reverse(ELIGIBILITY), posted(private(regulated_data=[], location="", agreement=""))
    )
    both = client.post(reverse(ELIGIBILITY), posted(private(regulated_data=["none", "cui"])))
    bad_domain = client.post(reverse(ELIGIBILITY), posted(answers(government_domain="http://x")))

    assert empty.status_code == 200
    assert error_of(empty, "organization_legal_name") == "Enter the customer's legal name."
    assert error_of(empty, "government_domain") == (
        "Enter the domain the customer uses, such as contoso.gov."
    )
    assert error_of(empty, "customer_kind") == "Choose the kind of organization the customer is."
    assert element(empty, id="form-errors") is not None
    assert text(element(empty, tag="title")).startswith("Error:")
    assert error_of(private_only, "regulated_data") == (
        "Say which regulated government data it handles, or choose None of these."
    )
    assert error_of(private_only, "location") == "Say where the organization is."
    assert error_of(private_only, "agreement") == (
        "Say whether a contract or agreement with a US government agency covers it."
    )
    assert error_of(both, "regulated_data") == (
        "Choose the kinds of data it handles, or None of these: not both."
    )
    assert error_of(bad_domain, "government_domain").startswith("Enter a domain name such as")


def test_the_private_questions_are_ignored_for_a_government_entity(
    client, sales_agent, gcc_enabled
):
    client.force_login(sales_agent)
    response = client.post(
        reverse(ELIGIBILITY),
        posted(answers(regulated_data=["none", "cui"], location="no_us_presence")),
    )
    token = _token_of(client, _result_url(response))
    assert eligibility_token_read(token, organization_id=gcc_enabled.pk) == answers()


def test_the_result_says_likely_eligible_why_and_which_documents(client, sales_agent, gcc_enabled):
    # given
    client.force_login(sales_agent)

    # when
    response = client.post(reverse(ELIGIBILITY), posted(private(regulated_data=["itar"])))
    result = client.get(_result_url(response))

    # then
    assert result.status_code == 200
    outcome = element(result, id="eligibility-outcome")
    assert attr(outcome, "data-outcome") == "likely_eligible"
    assert text(outcome) == (
        "The customer is likely eligible for GCC. A private organization that handles "
        "regulated US government data (ITAR (International Traffic in Arms Regulations)) is "
        "eligible for GCC."
    )
    assert text(element(result, id="eligibility-documents")) == (
        "The customer's ITAR registration with the US State Department's Directorate of "
        "Defense Trade Controls (DDTC), or the export licence or contract that covers its "
        "ITAR data."
    )
    assert not elements(result, id="still-submit")
    check_id = _check_id_of(_result_url(response))
    assert attr(element(result, id="continue-to-request"), "href") == (
        f"{reverse(CREATE)}?{urlencode({'check': check_id})}"
    )
    assert "Acme Defense Systems" in text(element(result, id="eligibility-answers"))


def test_the_result_says_likely_ineligible_with_the_reason_and_still_leads_on(
    client, sales_agent, gcc_enabled
):
    client.force_login(sales_agent)
    response = client.post(reverse(ELIGIBILITY), posted(private(regulated_data=["none"])))
    result = client.get(_result_url(response))

    outcome = element(result, id="eligibility-outcome")
    assert attr(outcome, "data-outcome") == "likely_ineligible"
    assert text(outcome) == (
        "The customer is likely not eligible for GCC. A private organization is eligible only "
        "if it handles regulated US government data, such as ITAR, CUI or CJI data. You said "
        "it handles none of these."
    )
    assert text(element(result, id="still-submit")).startswith("You can still submit the request.")
    assert elements(result, id="continue-to-request")


@pytest.mark.parametrize("kind", ["unknown-id", "signed-answers", "other-organization"])
def test_a_result_whose_answers_cant_be_read_asks_again(
    client, sales_agent, gcc_enabled, other_organization, kind
):
    # given: an id the session keeps nothing under, signed answers themselves in the URL (the
    # old form of the link), or another organization's answers kept in the session
    client.force_login(sales_agent)
    check = {
        "unknown-id": "garbage",
        "signed-answers": eligibility_token_make(organization_id=gcc_enabled.pk, answers=private()),
        "other-organization": _kept(
            client,
            eligibility_token_make(organization_id=other_organization.pk, answers=private()),
        ),
    }[kind]

    # when
    response = client.get(reverse(RESULT), {"check": check})

    assert response.status_code == 302
    assert response["Location"] == reverse(ELIGIBILITY)
    page = client.get(response["Location"])
    assert messages_of(page) == [
        "The answers of that eligibility check could not be read (changed, or older than "
        "seven days). Answer the questions again."
    ]
    assert "Acme Defense Systems" not in page.content.decode()


def _private_request_data(organization, checked: dict, *, token: str) -> dict:
    """The request form of the private organization handling CUI that `checked` names, with
    the signed answers `token`."""
    return request_form_data(
        organization,
        organization_legal_name=checked["organization_legal_name"],
        organization_type="private_regulated",
        regulated_data=["cui"],
        government_domain=checked["government_domain"],
        eligibility_answers=token,
    )


def _post_private_request(client, organization, checked: dict):
    """`_private_request_data` of `checked`, posted with its answers signed."""
    token = eligibility_token_make(organization_id=organization.pk, answers=checked)
    return client.post(reverse(CREATE), _private_request_data(organization, checked, token=token))


def test_no_answer_is_in_any_url_of_the_check(client, sales_agent, gcc_enabled):
    """The answers name the customer: a URL is written to the access log and the browser's
    history, so none of the flow's URLs carries them, signed or not."""
    # given
    client.force_login(sales_agent)
    said = private(organization_legal_name="Zenith Secret Works", government_domain="zenith.com")
    urls = []

    # when: the questions, the result, Change my answers, the request form, a form shown
    # again with errors, and the submitted request
    response = client.post(reverse(ELIGIBILITY), posted(said))
    urls.append(_result_url(response))
    result = client.get(urls[-1])
    urls += [attr(a, "href") or "" for a in elements(result, tag="a")]
    form_page = client.get(attr(element(result, id="continue-to-request"), "href"))
    urls += [attr(a, "href") or "" for a in elements(form_page, tag="a")]
    token = attr(element(form_page, id="id_eligibility_answers"), "value")
    data = _private_request_data(gcc_enabled, said, token=token)
    again = client.post(reverse(CREATE), {**data, "contact_phone": "call me"})
    urls += [attr(a, "href") or "" for a in elements(again, tag="a")]
    urls += [attr(f, "action") or "" for f in elements(again, tag="form")]
    done = client.post(reverse(CREATE), data)
    urls.append(done["Location"])

    # then: the answers are kept and go with the request, but no URL holds them or the token
    assert done.status_code == 302
    assert CustomerValidationRequest.objects.get().eligibility_answers == said
    assert any("check=" in url for url in urls)
    for url in urls:
        assert "Zenith" not in url and "zenith" not in url.lower(), url
        assert token not in url and token[:20] not in url, url


def test_change_my_answers_fills_the_questions_again(client, sales_agent, gcc_enabled):
    client.force_login(sales_agent)
    token = eligibility_token_make(organization_id=gcc_enabled.pk, answers=private())

    page = client.get(reverse(ELIGIBILITY), {"check": _kept(client, token)})

    assert attr(element(page, id="id_organization_legal_name"), "value") == "Acme Defense Systems"
    assert "checked" in dict(element(page, id="id_customer_kind_5").attributes)
    assert "checked" in dict(element(page, id="id_regulated_data_1").attributes)


def test_the_questions_start_from_what_was_typed_on_add_customer(client, sales_agent, gcc_enabled):
    # given: Add customer's answers kept on the way to a request
    client.force_login(sales_agent)
    client.post(
        reverse("customers:customer_draft_to_validation"),
        {"company_name": "Town of Ogden", "primary_domain": "ogden.gov"},
    )

    # when
    page = client.get(reverse(ELIGIBILITY))

    # then
    assert attr(element(page, id="id_organization_legal_name"), "value") == "Town of Ogden"
    assert attr(element(page, id="id_government_domain"), "value") == "ogden.gov"


# -- the request form, filled in from the answers ------------------------------------------


def test_the_request_form_starts_from_the_answers_and_shows_the_check(
    client, sales_agent, gcc_enabled
):
    # given
    client.force_login(sales_agent)
    token = eligibility_token_make(
        organization_id=gcc_enabled.pk, answers=private(regulated_data=["itar", "cui"])
    )

    # when
    page = client.get(reverse(CREATE), {"check": _kept(client, token)})

    # then
    assert page.status_code == 200
    form = page.context["form"]
    assert form["organization_legal_name"].value() == "Acme Defense Systems"
    assert form["government_domain"].value() == "acme-defense.com"
    assert form["organization_type"].value() == "private_regulated"
    assert form["regulated_data"].value() == ["itar", "cui"]
    assert attr(element(page, id="id_eligibility_answers"), "value") == token
    check = element(page, id="eligibility-check")
    assert "The customer is likely eligible for GCC." in text(check)
    assert "DFARS 252.204-7012" in text(check)
    assert not elements(page, id="eligibility-note")


def test_the_request_form_without_a_check_offers_one(client, sales_agent, gcc_enabled):
    client.force_login(sales_agent)

    page = client.get(reverse(CREATE))
    garbled = client.get(reverse(CREATE), {"check": "garbage"})

    note = element(page, id="eligibility-note")
    assert text(note).startswith("Not sure the customer is eligible? Check its eligibility first")
    assert attr(element(page, tag="a", within=note), "href") == reverse(ELIGIBILITY)
    assert not elements(page, id="eligibility-check")
    assert garbled.status_code == 200
    assert text(element(garbled, id="eligibility-note")).startswith(
        "The answers of that eligibility check could not be read"
    )
    assert attr(element(garbled, id="id_eligibility_answers"), "value") is None


def test_the_answers_are_stored_with_the_submitted_request(client, sales_agent, gcc_enabled):
    # given: a check, then the form it fills, completed
    client.force_login(sales_agent)
    checked = private(regulated_data=["itar"])
    token = eligibility_token_make(organization_id=gcc_enabled.pk, answers=checked)

    # when
    response = client.post(
        reverse(CREATE),
        request_form_data(
            gcc_enabled,
            organization_legal_name="Acme Defense Systems",
            organization_type="private_regulated",
            regulated_data=["itar"],
            government_domain="acme-defense.com",
            eligibility_answers=token,
        ),
    )

    # then
    assert response.status_code == 302
    request = CustomerValidationRequest.objects.get()
    assert request.eligibility_answers == checked
    assert request.eligibility_outcome == Outcome.LIKELY_ELIGIBLE
    detail = client.get(response["Location"])
    panel = element(detail, id="eligibility-check")
    assert "The customer is likely eligible for GCC." in text(panel)
    assert "ITAR registration" in text(panel)
    assert "Private organization, for example a government contractor" in text(
        element(detail, id="eligibility-answers")
    )


def test_a_form_shown_again_with_errors_keeps_the_answers(client, sales_agent, gcc_enabled):
    client.force_login(sales_agent)
    token = eligibility_token_make(organization_id=gcc_enabled.pk, answers=answers())
    data = request_form_data(gcc_enabled, eligibility_answers=token)

    again = client.post(reverse(CREATE), {**data, "contact_phone": "call me"})
    assert again.status_code == 200
    assert attr(element(again, id="id_eligibility_answers"), "value") == token
    assert "The customer is likely eligible for GCC." in text(
        element(again, id="eligibility-check")
    )
    assert not CustomerValidationRequest.objects.exists()

    done = client.post(reverse(CREATE), data)
    assert done.status_code == 302
    assert CustomerValidationRequest.objects.get().eligibility_answers == answers()


def test_likely_ineligible_answers_still_submit_and_are_stored_as_such(
    client, sales_agent, gcc_enabled
):
    client.force_login(sales_agent)

    response = _post_private_request(client, gcc_enabled, private(location="no_us_presence"))

    assert response.status_code == 302
    request = CustomerValidationRequest.objects.get()
    assert request.eligibility_outcome == Outcome.LIKELY_INELIGIBLE
    detail = client.get(response["Location"])
    assert "You said it has none." in text(element(detail, id="eligibility-check"))


CHECK_AGAIN = "Check this customer again, or remove the check to submit without it."


def test_answers_that_match_the_request_are_stored(client, sales_agent, gcc_enabled):
    # given: a check of Springfield, and its request with the domain typed in capitals
    client.force_login(sales_agent)
    token = eligibility_token_make(organization_id=gcc_enabled.pk, answers=answers())

    # when
    response = client.post(
        reverse(CREATE),
        request_form_data(
            gcc_enabled,
            government_domain="Springfield.GOV",
            contact_email="robin.clerk@springfield.gov",
            eligibility_answers=token,
        ),
    )

    # then
    assert response.status_code == 302
    assert CustomerValidationRequest.objects.get().eligibility_answers == answers()


def test_a_changed_domain_is_refused_next_to_the_field(client, sales_agent, gcc_enabled):
    # given: a check of Springfield, then the form changed to another customer's domain
    client.force_login(sales_agent)
    token = eligibility_token_make(organization_id=gcc_enabled.pk, answers=answers())
    before = snapshot()

    # when
    response = client.post(
        reverse(CREATE),
        request_form_data(
            gcc_enabled,
            organization_legal_name="Shelbyville Holdings",
            government_domain="shelbyville.com",
            eligibility_answers=token,
        ),
    )

    # then: told next to the domain, nothing created, everything typed kept, and the way to
    # remove the check offered
    assert response.status_code == 200
    assert snapshot() == before
    assert error_of(response, "government_domain") == (
        f"The eligibility check was made for springfield.gov. {CHECK_AGAIN}"
    )
    assert attr(element(response, id="id_government_domain"), "value") == "shelbyville.com"
    assert attr(element(response, id="id_organization_legal_name"), "value") == (
        "Shelbyville Holdings"
    )
    assert attr(element(response, id="id_eligibility_answers"), "value") == token
    assert text(element(response, id="eligibility-remove")) == (
        "Remove the eligibility check: submit the request without its answers"
    )


@pytest.mark.parametrize(
    ("checked", "changed", "field", "message"),
    [
        (
            answers(customer_kind="federal"),
            {"organization_type": "local"},
            "organization_type",
            "The eligibility check was made for another kind of organization: US federal "
            "government entity.",
        ),
        (
            private(government_domain="springfield.gov"),
            {"organization_type": "local"},
            "organization_type",
            "The eligibility check was made for another kind of organization: Private "
            "organization, for example a government contractor.",
        ),
        (
            answers(),
            {"organization_type": "private_regulated", "regulated_data": ["cui"]},
            "organization_type",
            "The eligibility check was made for another kind of organization: US local "
            "government entity (county, city, school district).",
        ),
        (
            private(government_domain="springfield.gov", regulated_data=["itar"]),
            {"organization_type": "private_regulated", "regulated_data": ["cui"]},
            "regulated_data",
            "The eligibility check was made for other regulated data: ITAR (International "
            "Traffic in Arms Regulations).",
        ),
    ],
)
def test_a_changed_type_or_data_is_refused_next_to_the_field(
    client, sales_agent, gcc_enabled, checked, changed, field, message
):
    client.force_login(sales_agent)
    token = eligibility_token_make(organization_id=gcc_enabled.pk, answers=checked)
    before = snapshot()

    response = client.post(
        reverse(CREATE), request_form_data(gcc_enabled, eligibility_answers=token, **changed)
    )

    assert response.status_code == 200
    assert snapshot() == before
    assert error_of(response, field) == f"{message} {CHECK_AGAIN}"


def test_a_check_that_said_no_data_goes_with_any_data(client, sales_agent, gcc_enabled):
    client.force_login(sales_agent)
    checked = private(government_domain="springfield.gov", regulated_data=["none"])

    response = _post_private_request(client, gcc_enabled, checked)

    assert response.status_code == 302
    assert CustomerValidationRequest.objects.get().eligibility_outcome == Outcome.LIKELY_INELIGIBLE


def test_removing_the_check_submits_the_request_without_answers(client, sales_agent, gcc_enabled):
    # given: a check of Springfield, and a request for another customer
    client.force_login(sales_agent)
    token = eligibility_token_make(organization_id=gcc_enabled.pk, answers=answers())
    data = request_form_data(
        gcc_enabled,
        organization_legal_name="Shelbyville Holdings",
        government_domain="shelbyville.com",
        eligibility_answers=token,
    )
    client.post(reverse(CREATE), data)

    # when: the same form, with the check removed
    response = client.post(reverse(CREATE), {**data, "eligibility_remove": "on"})

    # then
    assert response.status_code == 302
    request = CustomerValidationRequest.objects.get()
    assert (request.organization_legal_name, request.government_domain) == (
        "Shelbyville Holdings",
        "shelbyville.com",
    )
    assert (request.eligibility_answers, request.eligibility_outcome) == ({}, "")


def test_a_form_without_a_check_offers_no_removal(client, sales_agent, gcc_enabled):
    client.force_login(sales_agent)
    page = client.get(reverse(CREATE))
    assert not elements(page, id="eligibility-remove")


def test_another_checks_answers_pasted_into_a_request_are_refused(client, sales_agent, gcc_enabled):
    # given: two checks, the second of a private contractor
    client.force_login(sales_agent)
    client.post(reverse(ELIGIBILITY), posted(answers()))
    other = client.post(reverse(ELIGIBILITY), posted(private()))
    form = client.get(_continue_url(client, other))
    token = attr(element(form, id="id_eligibility_answers"), "value")
    before = snapshot()

    # when: its answers go with Springfield's request
    response = client.post(
        reverse(CREATE), request_form_data(gcc_enabled, eligibility_answers=token)
    )

    # then
    assert response.status_code == 200
    assert snapshot() == before
    assert error_of(response, "government_domain") == (
        f"The eligibility check was made for acme-defense.com. {CHECK_AGAIN}"
    )
    assert error_of(response, "organization_type").startswith(
        "The eligibility check was made for another kind of organization: Private organization"
    )


@pytest.mark.parametrize("kind", ["altered", "other-organization"])
def test_answers_that_cant_be_read_are_refused_and_nothing_is_submitted(
    client, sales_agent, gcc_enabled, other_organization, kind
):
    # given
    client.force_login(sales_agent)
    if kind == "altered":
        token = eligibility_token_make(organization_id=gcc_enabled.pk, answers=answers())
        token = token[:-3] + ("abc" if not token.endswith("abc") else "xyz")
    else:
        token = eligibility_token_make(organization_id=other_organization.pk, answers=private())
    before = snapshot()

    # when
    response = client.post(
        reverse(CREATE), request_form_data(gcc_enabled, eligibility_answers=token)
    )

    # then: told, nothing created, and the form shown again carries no answers
    assert response.status_code == 200
    assert snapshot() == before
    assert text(element(response, id="form-errors")) == (
        "The answers of the eligibility check could not be read (changed, or older than "
        "seven days), so nothing was submitted. Submit the request again without them, or "
        "check the eligibility again."
    )
    assert attr(element(response, id="id_eligibility_answers"), "value") is None
    assert "Acme Defense Systems" not in response.content.decode()


def test_a_skipped_check_stores_nothing_and_says_so(client, sales_agent, gcc_enabled, reviewer):
    client.force_login(sales_agent)

    response = client.post(reverse(CREATE), request_form_data(gcc_enabled))

    request = CustomerValidationRequest.objects.get()
    assert (request.eligibility_answers, request.eligibility_outcome) == ({}, "")
    detail = client.get(response["Location"])
    assert text(element(detail, id="eligibility-check")) == (
        "Eligibility check No eligibility check was made."
    )
    client.force_login(reviewer)
    admin_page = client.get(reverse(CHANGE, args=[request.pk]))
    assert readonly(admin_page, "eligibility_display") == "No eligibility check was made."


def test_the_reviewer_sees_the_answers_outcome_and_reasons(
    client, sales_agent, gcc_enabled, reviewer
):
    # given: a request submitted after a check
    client.force_login(sales_agent)
    token = eligibility_token_make(organization_id=gcc_enabled.pk, answers=private(agreement="no"))
    client.post(
        reverse(CREATE),
        request_form_data(
            gcc_enabled,
            organization_type="private_regulated",
            regulated_data=["cui"],
            government_domain="acme-defense.com",
            eligibility_answers=token,
        ),
    )
    request = CustomerValidationRequest.objects.get()

    # when
    client.force_login(reviewer)
    response = client.get(reverse(CHANGE, args=[request.pk]))

    # then
    shown = readonly(response, "eligibility_display")
    assert shown.startswith("Likely ineligible The customer is likely not eligible for GCC.")
    assert "Regulated government data other than ITAR data is handled under a contract" in shown
    assert "The US government contract or subcontract that requires the customer" in shown
    assert "Contract or agreement with a US government agency: No" in shown
    assert "Kind of organization: Private organization, for example a government contractor" in (
        shown
    )


def test_each_answer_the_reviewer_sees_is_one_sentence_for_translators(db, monkeypatch):
    # given: a French catalogue that writes a space before the colon, as French does
    request = CustomerValidationRequestFactory(
        eligibility_answers=answers(), eligibility_outcome=Outcome.LIKELY_ELIGIBLE
    )
    french = trans_real.translation("fr")._catalog._catalogs[0]
    monkeypatch.setitem(french, "%(question)s: %(answer)s", "%(question)s : %(answer)s")

    # when
    with translation.override("fr"):
        shown = str(CustomerValidationRequestAdmin.eligibility_display(None, request))

    # then: the colon is the catalogue's, not the code's
    answered = re.findall(r"<li>([^<]*)</li>", shown)[-3:]
    assert [item.endswith(" : springfield.gov") for item in answered] == [False, True, False]
    assert all(" : " in item for item in answered), answered


# -- who may ---------------------------------------------------------------------------------


@pytest.mark.parametrize("url_name", [ELIGIBILITY, RESULT])
@pytest.mark.parametrize("method", ["get", "post"])
def test_a_role_that_cant_submit_cant_check(client, gcc_enabled, non_gcc_user, url_name, method):
    user, label = non_gcc_user
    client.force_login(user)
    token = eligibility_token_make(organization_id=gcc_enabled.pk, answers=answers())

    response = getattr(client, method)(
        reverse(url_name) + f"?check={token}", posted(answers()) if method == "post" else None
    )

    assert response.status_code == 403
    assert role_refusal(label) in page_text(response)


def test_the_result_is_only_read(client, sales_agent, gcc_enabled):
    client.force_login(sales_agent)
    token = eligibility_token_make(organization_id=gcc_enabled.pk, answers=answers())
    assert client.post(reverse(RESULT) + f"?check={token}").status_code == 405


def test_an_organization_not_approved_for_gcc_is_told_why(client, admin_agent):
    client.force_login(admin_agent)
    response = client.get(reverse(ELIGIBILITY))
    assert response.status_code == 200
    assert elements(response, id="unavailable-reason")
    assert not elements(response, id="eligibility-form")


def test_anonymous_users_are_sent_to_sign_in(client, db):
    response = client.get(reverse(ELIGIBILITY))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_an_indirect_resellers_answers_are_its_own(client, provider_and_reseller):
    # given: the provider and its reseller, each GCC-capable
    provider, reseller = provider_and_reseller
    reseller_agent = agent_of(reseller)
    provider_agent = agent_of(provider)
    client.force_login(reseller_agent)
    response = client.post(reverse(ELIGIBILITY), posted(private()))
    url = _result_url(response)

    # when: the provider opens the reseller's result
    client.force_login(provider_agent)
    seen = client.get(url)

    # then: not read, not shown
    assert seen.status_code == 302
    assert seen["Location"] == reverse(ELIGIBILITY)


def test_another_gcc_organization_cant_use_the_answers(client, gcc_enabled, sales_agent):
    other = OrganizationFactory()
    ResellerQualificationFactory(organization=other)
    client.force_login(agent_of(other))
    token = eligibility_token_make(organization_id=gcc_enabled.pk, answers=private())

    page = client.get(reverse(CREATE), {"check": _kept(client, token)})

    assert page.status_code == 200
    assert page.context["form"]["organization_legal_name"].value() in (None, "")
    assert "Acme Defense Systems" not in page.content.decode()
