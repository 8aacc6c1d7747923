"""The customers app (label `customers`): four domains, each with its own modules.

- here: customers, the partners' relationships with them (`CustomerRelationship`) and their
  irreversible special qualification (`CustomerQualification`); the organization's GCC
  standing for customer actions (`selectors.gcc_block_reason`); the app's URLs and tasks.
- `validations/`: customer GCC validation requests, their supporting documents and the
  customer contact's signed answer link.
- `codes/`: the GCC validation codes that approved requests issue and Add customer consumes.
- `invitations/`: reseller-relationship invitations and their acceptance.

`models.py` imports the sub-packages' models (Django loads an app's models from there only),
`admin.py` their admin modules; import each name from its own package.
"""
