"""Federation: kab/kota instances (members) report their complaints, de-identified, to a
provincial instance (docs/federation.md).

``record`` is the one record that crosses the boundary (built at the member, read at the
province); ``members`` registers members and checks their keys; ``ingest`` stores records
at the province; ``uplink`` joins a member to its province; ``outbox`` and ``push`` send
the member's changes; ``drift`` compares both sides; ``client`` is the member's HTTP client.
"""
