"""Breach assessment per country law: which exposures are notifiable, to whom, and by when.

Decision support, not legal advice. The rules are reviewed data in each country's policy file
(``notification_rules``), each with its sources, the date it was checked and the dates it is in
force; a run applies the rules in force on its run date, so a backfill applies the old rules.
"""
