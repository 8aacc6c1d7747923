"""Customer GCC validation requests: a partner asks, on a customer's behalf, for the
customer's GCC validation; a reviewer decides; approval issues a validation code
(`customers.codes`).

models.py (the request and its supporting documents), selectors.py (reads, scoped to the
organization), services.py (every transition), forms.py (the request and the customer
contact's answer), views.py (the partner's pages and the contact's answer page), admin.py
(the reviewers' queue and decisions, the documents' download), emails.py, links.py (the
contact's signed single-use answer link), uploads.py (documents checked by their content).
"""
