"""A small client for the simulator's ``/_sim/`` control API, for tests, bench and demos.

Every method raises ``requests.HTTPError`` when the simulator refuses.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import requests


class SimControl:
    """Plays the national side of a running simulator at ``url`` (its root)."""

    def __init__(self, url: str, timeout: float = 10.0) -> None:
        self._url = url.rstrip("/") + "/_sim"
        self._timeout = timeout

    def complaints(self) -> list[dict[str, Any]]:
        """Every report the simulator holds."""
        return self._call("GET", "/complaints")

    def complaint(self, complaint_id: int) -> dict[str, Any]:
        """One report, with history and follow-ups."""
        return self._call("GET", f"/complaints/{complaint_id}")

    def file_nationally(
        self, title: str, content: str, institution_id: int, **fields: Any
    ) -> dict[str, Any]:
        """A report filed on lapor.go.id and disposed to ``institution_id``."""
        body = {"title": title, "content": content, "institution_id": institution_id, **fields}
        return self._call("POST", "/complaints", body)

    def verify(self, complaint_id: int) -> dict[str, Any]:
        """Verify a report."""
        return self._call("POST", f"/complaints/{complaint_id}/verify")

    def dispose(self, complaint_id: int, institution_id: int) -> dict[str, Any]:
        """Dispose a verified report to an instansi."""
        return self._call(
            "POST", f"/complaints/{complaint_id}/dispose", {"institution_id": institution_id}
        )

    def archive(self, complaint_id: int, reason: str = "") -> dict[str, Any]:
        """Archive a report."""
        return self._call("POST", f"/complaints/{complaint_id}/archive", {"reason": reason})

    def close(self, complaint_id: int, status: str, reason: str = "") -> dict[str, Any]:
        """Close a report as "Selesai" or "Ditolak"."""
        body = {"status": status, "reason": reason}
        return self._call("POST", f"/complaints/{complaint_id}/close", body)

    def post_followup(
        self,
        complaint_id: int,
        content: str,
        *,
        institution_id: int | None = None,
        created_at: datetime | None = None,
    ) -> dict[str, Any]:
        """A follow-up from ``institution_id``, or from the reporter when it is ``None``."""
        body: dict[str, Any] = {"content": content}
        if institution_id is None:
            body["reporter"] = True
        else:
            body["institution_id"] = institution_id
        if created_at is not None:
            body["created_at"] = created_at.isoformat()
        return self._call("POST", f"/complaints/{complaint_id}/followups", body)

    def auto_close(self, now: datetime | None = None) -> list[int]:
        """Run the auto-close clock; returns the ids it closed."""
        body = {} if now is None else {"now": now.isoformat()}
        return self._call("POST", "/auto-close", body)["closed"]

    def add_institution(self, name: str, institution_id: int | None = None) -> dict[str, Any]:
        """Add an instansi to the master list."""
        body: dict[str, Any] = {"name": name}
        if institution_id is not None:
            body["id"] = institution_id
        return self._call("POST", "/institutions", body)

    def faults(self) -> dict[str, Any]:
        """Fault configuration, seed and recent decisions."""
        return self._call("GET", "/faults")

    def set_faults(self, **changes: Any) -> dict[str, Any]:
        """Change fault settings (``seed=`` restarts the random source)."""
        return self._call("PUT", "/faults", changes)

    def _call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        response = requests.request(method, self._url + path, json=body, timeout=self._timeout)
        response.raise_for_status()
        return response.json()
