# The offer catalogue, orders and subscriptions arrive with issue 6.
