"""Validators for identifiers python-stdnum does not cover, written as stdnum modules.

Each module offers ``compact``, ``validate`` (returns the compact number or raises a
``stdnum.exceptions.ValidationError``), ``is_valid`` (never raises) and ``format``, plus
``calc_check_digit`` where the scheme has a check character.
"""
