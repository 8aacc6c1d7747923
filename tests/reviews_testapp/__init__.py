"""A test-only app (installed by the test settings alone): the smallest concrete reviewed
request, so that `reviews` is tested on its own, apart from partners and customers."""
