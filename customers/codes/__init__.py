"""GCC validation codes (Partner Center's `GccValidation`): issued to the transacting partner
when a customer validation request is approved, consumed one create at a time by Add customer.

models.py (GccValidation), selectors.py (the codes an organization may see and use),
services.py (issue a code, take one of its creates), admin.py (the read-only list).
"""
