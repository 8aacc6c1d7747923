# Placeholder views; replaced by the customer pages.
from django.http import Http404


def _todo(request, *args, **kwargs):
    raise Http404


customer_list = customer_create = customer_account = gcc_code_help = _todo
validation_list = validation_create = validation_detail = validation_withdraw = _todo
validation_document = info_answer = _todo
