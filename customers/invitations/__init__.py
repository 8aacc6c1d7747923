"""Reseller-relationship invitations: a partner asks an existing customer for a reseller
relationship (draft → sent → accepted | expired | revoked); the customer's acceptance creates
the relationship in one locked transaction.

models.py (ResellerInvitation), selectors.py (the organization's invitations), services.py
(every transition, the acceptance in two steps), forms.py (the partner's email, the
customer's acceptance), views.py (the partner's pages and the public acceptance pages),
emails.py, links.py (the personalized link and the acceptance confirmation link).
"""
