"""What a reviewer should know before deciding a request, which Partner Center does not check:
each kind's selectors list its conflicts (`customer_validation_conflicts`,
`partner_validation_conflicts`) with these. A conflict blocks nothing: the reviewer decides."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Conflict:
    code: str  # stable: which rule (recorded, filtered on)
    message: str  # what the reviewer reads, in the reader's language
