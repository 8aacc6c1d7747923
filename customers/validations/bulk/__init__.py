"""Bulk submission of customer validation requests: an Admin agent uploads a CSV (one request
per row), previews every row checked by the single form's rules, then submits the valid rows
in one action.

- `csvfile.py`: the columns, the downloadable template and allowed-values files, reading an
  upload (encoding, header, limits).
- `models.py`: `BulkSubmission`, the upload kept between the preview and the submit.
- `selectors.py`: the rows checked (the form's rules, each row's idempotency key, what was
  already submitted).
- `services.py`: upload and submit; `emails.py`: one email to the submitter and one to the
  reviewers per batch.
"""
