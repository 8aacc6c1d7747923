from django.apps import AppConfig


class ReviewsTestappConfig(AppConfig):
    name = "tests.reviews_testapp"
    label = "reviews_testapp"
