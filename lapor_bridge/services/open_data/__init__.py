"""Open statistics for Satu Data (``/data/``): complaint counts and median times per
kab/kota, month, service category and agency, never anything per complaint.

``dataset`` computes the rows from the dashboards' ``complaint_cells`` and suppresses
small counts (k-anonymity), ``dictionary`` describes every field, ``files`` writes them
as CSV and JSON, ``catalog`` as a DCAT-US ("data.json") catalogue for CKAN harvesters,
and ``cache`` keeps one computation per process for a while (docs/open_data.md).
"""
