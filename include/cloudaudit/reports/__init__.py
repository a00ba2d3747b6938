"""The per-country compliance spreadsheet: ``model.CountryReport`` in, ``xlsx.render_workbook`` bytes out.

``xlsx`` imports openpyxl at module level: import it inside tasks only, never from dags/.
"""

from __future__ import annotations
