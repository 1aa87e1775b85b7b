"""Coordinator dashboards: the pages' figures, tables and exports, and the stats they read.

``overview`` (overview and league tables), ``overdue``, ``sync`` and ``tables`` (exports)
answer the pages within the scope ``scope`` resolves; ``refresh`` keeps the metrics
rows current and ``cells`` packs them per kab/kota and month for the pages to count.
"""
