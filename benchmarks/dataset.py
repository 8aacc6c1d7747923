"""The benchmark's data set, at issue 16's scale, loaded with set-based SQL in minutes.

At `scale=1.0`:

- 2,000 partner organizations: 10 % indirect providers, 10 % indirect resellers (each under a
  provider), the rest direct resellers; each with an Admin agent;
- 200,000 customers: 20,000 of them the one *bench reseller*'s (an indirect reseller), also
  seen by its provider; the rest spread over the direct resellers;
- 100,000 customer validation requests, 30 % open (submitted, in review, information
  requested); 5,000 of the bench reseller;
- 20,000 orders, one line and one subscription each; 2,000 of the bench reseller's customers;
- 2,000 partner validation requests, one for each organization, 30 % open;
- the open requests of both kinds as the review clock's sweep leaves them (steady state):
  reminded once their reminder's time has passed, escalated once their due time has, and
  `sla_action_at` (what the sweep reads) set from the same rule as the model's save();
- 500,000 audit events, five for each customer validation request;
- 1,000,000 outbox emails: sent, but for 1,000 pending and 1,000 failed;
- 20 reviewers (every one told of each new request; a quarter of them read French), the
  first of them also a reviewer lead.

Every value is derived from the row's number (`md5(...)` for IDs), so two loads give the same
rows. PostgreSQL only (generate_series). Returns what the benchmark signs in as.
"""

from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction

ORGANIZATIONS = 2_000
CUSTOMERS = 200_000
RESELLER_CUSTOMERS = 20_000
VALIDATION_REQUESTS = 100_000
RESELLER_VALIDATION_REQUESTS = 5_000
ORDERS = 20_000
RESELLER_ORDERS = 2_000
AUDIT_EVENTS_PER_REQUEST = 5
OUTBOX = 1_000_000
REVIEWERS = 20
PASSWORD = "bench-password-1"  # noqa: S105 (the bench's own users, on its own database)


@dataclass(frozen=True)
class Loaded:
    reseller_id: int  # the bench reseller (an indirect reseller)
    provider_id: int  # its indirect provider
    reseller_agent_email: str
    reviewer_email: str
    counts: dict


def _n(count: int, scale: float) -> int:
    return max(1, round(count * scale))


@transaction.atomic
def load(
    *,
    scale: float = 1.0,
    organizations: int | None = None,
    customers: int | None = None,
    reseller_customers: int | None = None,
) -> Loaded:
    """Insert the data set (on an empty, migrated database); `organizations`, `customers` and
    the bench reseller's `reseller_customers` instead of the scaled numbers (an organization
    has one partner validation request)."""
    from django.conf import settings

    from customers.models import CustomerCount
    from customers.validations.models import CustomerValidationRequest

    orgs = organizations or max(10, _n(ORGANIZATIONS, scale))
    providers = max(1, orgs // 10)
    resellers = max(1, orgs // 10)
    customers = customers or max(20, _n(CUSTOMERS, scale))
    reseller_customers = min(customers // 2, reseller_customers or _n(RESELLER_CUSTOMERS, scale))
    requests = max(20, _n(VALIDATION_REQUESTS, scale))
    reseller_requests = min(requests // 2, _n(RESELLER_VALIDATION_REQUESTS, scale))
    orders = max(10, _n(ORDERS, scale))
    reseller_orders = min(orders // 2, _n(RESELLER_ORDERS, scale))
    outbox = max(10, _n(OUTBOX, scale))
    password = make_password(PASSWORD)
    request_type = ContentType.objects.get_for_model(CustomerValidationRequest).pk
    parameters = {
        "orgs": orgs,
        "providers": providers,
        "resellers": resellers,
        "customers": customers,
        "reseller_customers": reseller_customers,
        "requests": requests,
        "reseller_requests": reseller_requests,
        "orders": orders,
        "reseller_orders": reseller_orders,
        "events": AUDIT_EVENTS_PER_REQUEST,
        "outbox": outbox,
        "password": password,
        "request_type": request_type,
        "reviewers": REVIEWERS,
        "reviewer_group": settings.REVIEWER_GROUP_NAME,
    }
    with connection.cursor() as cursor:
        for statement in STATEMENTS:
            if statement is REVIEW_CLOCK_STEADY_STATE:
                for table in REVIEWED_TABLES:
                    _review_clock_steady_state(cursor, table)
                continue
            cursor.execute(statement, parameters)
    CustomerCount.recount()  # the relationships were inserted by SQL
    with connection.cursor() as cursor:
        cursor.execute("SELECT id FROM partners_organization WHERE partner_id = 'B0000001'")
        provider_id = cursor.fetchone()[0]
        cursor.execute(
            "SELECT id FROM partners_organization WHERE partner_id = %s",
            [f"B{providers + 1:07d}"],
        )
        reseller_id = cursor.fetchone()[0]
        counts = {}
        for table in COUNTED:
            cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 (our table names)
            counts[table] = cursor.fetchone()[0]
    return Loaded(
        reseller_id=reseller_id,
        provider_id=provider_id,
        reseller_agent_email=f"agent{providers + 1}@bench.example",
        reviewer_email="reviewer@bench.example",
        counts=counts,
    )


REVIEWED_TABLES = ["customers_customervalidationrequest", "partners_partnervalidationrequest"]
REVIEW_CLOCK_STEADY_STATE = "-- the review clock's steady state (_review_clock_steady_state)"


def _review_clock_steady_state(cursor, table: str) -> None:
    """The running requests of `table` as the SLA sweep, run all along, leaves them at the
    load's time (the transaction's now()): reminded at their reminder's time once it has
    passed, escalated at their due time once it has; `sla_action_at` from the model's own
    rule (reviews.models.review_sla_action_at), computed here, in Python, so that it agrees
    with the sweep's. One UPDATE from arrays."""
    from gccportal.review_clock import review_reminder_at
    from reviews.models import review_sla_action_at

    cursor.execute("SELECT now()")
    [now] = cursor.fetchone()
    cursor.execute(
        f"SELECT id, status, due_at FROM {table} "  # noqa: S608 (our table names)
        "WHERE status IN ('submitted', 'in_review') AND due_at IS NOT NULL"
    )
    ids, reminded, escalated, actions = [], [], [], []
    for pk, status, due_at in cursor.fetchall():
        reminder_at = review_reminder_at(due_at)
        reminder_sent_at = reminder_at if reminder_at <= now else None
        escalated_at = due_at if due_at < now else None
        ids.append(pk)
        reminded.append(reminder_sent_at)
        escalated.append(escalated_at)
        actions.append(
            review_sla_action_at(
                status=status,
                due_at=due_at,
                reminder_sent_at=reminder_sent_at,
                escalated_at=escalated_at,
            )
        )
    cursor.execute(
        f"UPDATE {table} AS r SET reminder_sent_at = v.reminded, "  # noqa: S608
        "escalated_at = v.escalated, sla_action_at = v.action "
        "FROM unnest(%s::bigint[], %s::timestamptz[], %s::timestamptz[], %s::timestamptz[]) "
        "AS v(id, reminded, escalated, action) WHERE r.id = v.id",
        [ids, reminded, escalated, actions],
    )


COUNTED = [
    "partners_organization",
    "partners_partnervalidationrequest",
    "customers_customer",
    "customers_customervalidationrequest",
    "orders_order",
    "reviews_auditevent",
    "notifications_outboxmessage",
]

# Organization g: 1..providers are indirect providers, the next `resellers` indirect resellers
# (reseller g under provider ((g - providers - 1) % providers) + 1: the first reseller, the
# bench reseller, is under the first provider), the rest direct resellers.
STATEMENTS = [
    """
    INSERT INTO partners_organization (legal_name, partner_type, partner_id,
        commercial_tenant_id, csp_enrollment, created_at, updated_at, mfa_required)
    SELECT 'Bench Partner ' || g,
           CASE WHEN g <= %(providers)s THEN 'indirect_provider' ELSE 'direct_reseller' END,
           'B' || lpad(g::text, 7, '0'),
           md5('org' || g)::uuid, 'enrolled', now(), now(), false
    FROM generate_series(1, %(orgs)s) AS g
    WHERE g <= %(providers)s OR g > %(providers)s + %(resellers)s
    """,
    """
    INSERT INTO partners_organization (legal_name, partner_type, partner_id,
        commercial_tenant_id, csp_enrollment, created_at, updated_at, mfa_required,
        indirect_provider_id)
    SELECT 'Bench Partner ' || g, 'indirect_reseller', 'B' || lpad(g::text, 7, '0'),
           md5('org' || g)::uuid, 'enrolled', now(), now(), false, provider.id
    FROM generate_series(%(providers)s + 1, %(providers)s + %(resellers)s) AS g
    JOIN partners_organization AS provider
      ON provider.partner_id
         = 'B' || lpad(((g - %(providers)s - 1) %% %(providers)s + 1)::text, 7, '0')
    """,
    # The direct resellers and the providers are approved for GCC.
    """
    INSERT INTO partners_resellerqualification (organization_id, qualification, granted_at)
    SELECT id, 'GovernmentCommunityCloud', now() FROM partners_organization
    WHERE partner_type <> 'indirect_reseller'
    """,
    """
    INSERT INTO accounts_user (password, is_superuser, first_name, last_name, is_staff,
        is_active, date_joined, email, language)
    SELECT %(password)s, false, 'Agent', substr(partner_id, 2), false, true, now(),
           'agent' || substr(partner_id, 2)::int || '@bench.example', 'en'
    FROM partners_organization
    """,
    """
    INSERT INTO partners_membership (role, user_id, organization_id)
    SELECT 'admin_agent', u.id, o.id
    FROM partners_organization AS o
    JOIN accounts_user AS u ON u.email = 'agent' || substr(o.partner_id, 2)::int || '@bench.example'
    """,
    """
    INSERT INTO accounts_user (password, is_superuser, first_name, last_name, is_staff,
        is_active, date_joined, email, language)
    VALUES (%(password)s, false, 'Bench', 'Reviewer', true, true, now(),
            'reviewer@bench.example', 'en')
    """,
    """
    INSERT INTO accounts_user_groups (user_id, group_id)
    SELECT u.id, g.id FROM accounts_user AS u, auth_group AS g
    WHERE u.email = 'reviewer@bench.example'
    """,
    # The other reviewers: each new request's email goes to every one of them.
    """
    INSERT INTO accounts_user (password, is_superuser, first_name, last_name, is_staff,
        is_active, date_joined, email, language)
    SELECT %(password)s, false, 'Bench', 'Reviewer ' || g, true, true, now(),
           'reviewer' || g || '@bench.example', CASE WHEN g %% 4 = 0 THEN 'fr' ELSE 'en' END
    FROM generate_series(2, %(reviewers)s) AS g
    """,
    """
    INSERT INTO accounts_user_groups (user_id, group_id)
    SELECT u.id, g.id
    FROM generate_series(2, %(reviewers)s) AS n
    JOIN accounts_user AS u ON u.email = 'reviewer' || n || '@bench.example'
    JOIN auth_group AS g ON g.name = %(reviewer_group)s
    """,
    """
    INSERT INTO customers_customer (tenant_id, company_name, primary_domain, address_line1,
        address_line2, city, state, postal_code, country, contact_first_name,
        contact_last_name, contact_email, contact_phone, created_at)
    SELECT md5('customer' || g)::uuid,
           (ARRAY['City of', 'County of', 'Town of', 'Department of', 'Agency for'])[g %% 5 + 1]
             || ' ' || initcap(substr(md5('name' || g), 1, 8)) || ' ' || g,
           'c' || g || '.bench.gov', g || ' Main St', '', 'Springfield', 'IL', '62701', 'US',
           'Robin', 'Clerk', 'it@c' || g || '.bench.gov', '+1 217 555 0199',
           now() - (g || ' minutes')::interval
    FROM generate_series(1, %(customers)s) AS g
    """,
    # Customers 1..reseller_customers are the bench reseller's (and its provider sees them
    # through it); the others are spread over the direct resellers and the providers.
    """
    INSERT INTO customers_customerrelationship (created_at, customer_id, organization_id,
        customer_name, customer_search)
    SELECT c.created_at, c.id, o.id, c.company_name,
           upper(c.company_name || E'\\n' || c.primary_domain)
    FROM customers_customer AS c
    JOIN partners_organization AS o ON o.partner_id = CASE
        WHEN substr(c.primary_domain, 2, strpos(c.primary_domain, '.') - 2)::int
             <= %(reseller_customers)s
        THEN 'B' || lpad((%(providers)s + 1)::text, 7, '0')
        ELSE 'B' || lpad(
            (substr(c.primary_domain, 2, strpos(c.primary_domain, '.') - 2)::int
             %% (%(orgs)s - %(providers)s - %(resellers)s) + %(providers)s + %(resellers)s + 1
            )::text, 7, '0')
        END
    """,
    """
    INSERT INTO customers_customerrelationship (created_at, customer_id, organization_id,
        indirect_reseller_id, customer_name, customer_search)
    SELECT r.created_at, r.customer_id, o.indirect_provider_id, o.id, r.customer_name,
           r.customer_search
    FROM customers_customerrelationship AS r
    JOIN partners_organization AS o ON o.id = r.organization_id
    WHERE o.partner_type = 'indirect_reseller'
    """,
    # Requests 1..reseller_requests are the bench reseller's (its provider transacts); the
    # others the direct resellers'. 30 %% open: g %% 10 in 0..2.
    """
    INSERT INTO customers_customervalidationrequest (status, submitted_at, due_at,
        info_request_message, info_requested_at, info_response, decision_note, decided_at,
        created_at, updated_at, organization_legal_name, organization_type, regulated_data,
        government_domain, contact_name, contact_email, contact_phone, commercial_tenant_id,
        info_link_nonce, organization_id, submitted_by_id, transacting_partner_id,
        idempotency_key, contact_language, conflicts_seen, eligibility_answers,
        eligibility_outcome, decision_due_at, decided_on_time, business_seconds_to_decision)
    SELECT s.status, s.at,
           CASE WHEN s.status IN ('submitted', 'in_review') THEN s.at + interval '2 days' END,
           CASE WHEN s.status = 'info_requested' THEN 'Send the charter.' ELSE '' END,
           CASE WHEN s.status = 'info_requested' THEN s.at + interval '1 day' END,
           '', '',
           CASE WHEN s.status IN ('approved', 'rejected') THEN s.at + interval '1 day' END,
           s.at, s.at, 'Agency ' || s.g, 'local', '[]'::jsonb, 'r' || s.g || '.bench.gov',
           'Robin Clerk', 'robin@r' || s.g || '.bench.gov', '+1 217 555 0199',
           t.commercial_tenant_id, '', o.id, m.user_id, t.id, md5('request' || s.g)::uuid, 'en',
           '[]'::jsonb, '{}'::jsonb, '',
           -- Decided a day after the submission, a day before the due time, after 12 to
           -- 36 business hours (what the SLA page aggregates).
           CASE WHEN s.status IN ('approved', 'rejected') THEN s.at + interval '2 days' END,
           CASE WHEN s.status IN ('approved', 'rejected') THEN true END,
           CASE WHEN s.status IN ('approved', 'rejected') THEN 43200 + s.g %% 97 * 900 END
    FROM (
        SELECT g,
               (ARRAY['submitted', 'in_review', 'info_requested', 'approved', 'approved',
                      'approved', 'approved', 'rejected', 'rejected', 'withdrawn'])[g %% 10 + 1]
                 AS status,
               now() - (g || ' minutes')::interval AS at,
               CASE WHEN g <= %(reseller_requests)s
                    THEN %(providers)s + 1
                    ELSE g %% (%(orgs)s - %(providers)s - %(resellers)s)
                         + %(providers)s + %(resellers)s + 1 END AS org_number
        FROM generate_series(1, %(requests)s) AS g
    ) AS s
    JOIN partners_organization AS o ON o.partner_id = 'B' || lpad(s.org_number::text, 7, '0')
    JOIN partners_organization AS t ON t.id = coalesce(o.indirect_provider_id, o.id)
    JOIN partners_membership AS m ON m.organization_id = o.id
    """,
    # One partner validation request per organization: open for g %% 10 in 0..2.
    """
    INSERT INTO partners_partnervalidationrequest (status, submitted_at, due_at,
        info_request_message, info_response, decision_note, decided_at, created_at,
        updated_at, commercial_tenant_id, contact_name, contact_email, contact_phone,
        government_segments, contract_vehicles, attested, organization_id, submitted_by_id,
        idempotency_key, conflicts_seen, decision_due_at, decided_on_time,
        business_seconds_to_decision)
    SELECT s.status, s.at,
           CASE WHEN s.status IN ('submitted', 'in_review') THEN s.at + interval '2 days' END,
           '', '', '',
           CASE WHEN s.status IN ('approved', 'rejected') THEN s.at + interval '1 day' END,
           s.at, s.at, o.commercial_tenant_id, 'Dana Contact', 'dana@bench.example',
           '+1 202 555 0143', '["federal"]'::jsonb, 'GSA Multiple Award Schedule', true,
           o.id, m.user_id, md5('partner request' || o.id)::uuid, '[]'::jsonb,
           CASE WHEN s.status IN ('approved', 'rejected') THEN s.at + interval '2 days' END,
           CASE WHEN s.status IN ('approved', 'rejected') THEN true END,
           CASE WHEN s.status IN ('approved', 'rejected') THEN 43200 + o.id %% 97 * 900 END
    FROM (
        SELECT id,
               (ARRAY['submitted', 'in_review', 'submitted', 'approved', 'approved',
                      'approved', 'approved', 'rejected', 'approved', 'withdrawn'])[id %% 10 + 1]
                 AS status,
               now() - (id || ' hours')::interval AS at
        FROM partners_organization
    ) AS s
    JOIN partners_organization AS o ON o.id = s.id
    JOIN partners_membership AS m ON m.organization_id = o.id
    WHERE o.partner_type <> 'indirect_reseller'
    """,
    """
    INSERT INTO reviews_auditevent (object_id, action, from_status, to_status, note,
        created_at, content_type_id, organization_id, actor_id)
    SELECT r.id,
           (ARRAY['submitted', 'review_started', 'info_requested', 'info_provided',
                  'approved'])[e],
           '', r.status, '', r.submitted_at + (e || ' minutes')::interval,
           %(request_type)s, r.organization_id, r.submitted_by_id
    FROM customers_customervalidationrequest AS r, generate_series(1, %(events)s) AS e
    """,
    # Orders 1..reseller_orders for the bench reseller's customers, the others for customers
    # of the direct resellers; one G3 line each, completed, with its subscription.
    """
    INSERT INTO orders_order (status, idempotency_key, partner_id_on_record, created_at,
        completed_at, failure_reason, attempts, created_by_id, customer_id, organization_id)
    SELECT 'completed', md5('order' || g)::uuid, o.partner_id,
           now() - (g || ' minutes')::interval, now() - (g || ' minutes')::interval, '', 1,
           m.user_id, r.customer_id, r.organization_id
    FROM generate_series(1, %(orders)s) AS g
    JOIN customers_customerrelationship AS r ON r.indirect_reseller_id IS NULL
     AND r.customer_id = (
        SELECT id FROM customers_customer WHERE primary_domain = 'c' || CASE
            WHEN g <= %(reseller_orders)s THEN g
            ELSE %(reseller_customers)s + g END || '.bench.gov')
    JOIN partners_organization AS o ON o.id = r.organization_id
    JOIN partners_membership AS m ON m.organization_id = o.id
    """,
    """
    INSERT INTO orders_orderlineitem (line_item_number, quantity, friendly_name, unit_price,
        error, offer_id, order_id, status, attempts, claimed_by)
    SELECT 0, 25, '', f.unit_price, '', f.id, o.id, 'provisioned', 1, ''
    FROM orders_order AS o,
         (SELECT id, unit_price FROM orders_offer WHERE requires_gcc ORDER BY id LIMIT 1) AS f
    """,
    """
    INSERT INTO orders_subscription (subscription_id, quantity, friendly_name, created_at,
        customer_id, line_item_id, offer_id)
    SELECT md5('subscription' || l.id)::uuid, l.quantity, '', o.created_at, o.customer_id,
           l.id, l.offer_id
    FROM orders_orderlineitem AS l JOIN orders_order AS o ON o.id = l.order_id
    """,
    """
    INSERT INTO notifications_outboxmessage (status, dedupe_key, template, to_email, language,
        subject, body_text, attempts, last_error, created_at, sent_at, message_id,
        next_attempt_at, maybe_sent, failed_at)
    SELECT CASE WHEN g <= 1000 THEN 'pending' WHEN g <= 2000 THEN 'failed' ELSE 'sent' END,
           'bench:' || g, 'emails/partners/validation_submitted', 'agent' || g || '@bench.example',
           'en', 'GCC validation request received', 'Hello,', 1,
           CASE WHEN g BETWEEN 1001 AND 2000 THEN '550 No such user' ELSE '' END,
           now() - (g || ' seconds')::interval,
           CASE WHEN g > 2000 THEN now() - (g || ' seconds')::interval END,
           '<bench.' || g || '@gccportal.example>',
           now() + interval '1 hour', false,
           CASE WHEN g BETWEEN 1001 AND 2000 THEN now() END
    FROM generate_series(1, %(outbox)s) AS g
    """,
    REVIEW_CLOCK_STEADY_STATE,
    "ANALYZE",
]
