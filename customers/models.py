# Customers, customer GCC validation and validation codes arrive with issue 4.
