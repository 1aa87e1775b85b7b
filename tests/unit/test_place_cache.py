"""PlaceCache: complete matches are remembered for a while; misses never are."""

from lapor_bridge.services.intake import store as intake_store
from lapor_bridge.services.intake.store import Place, PlaceCache


class Lookups:
    """Stands in for the database query: answers from ``places`` and counts the calls."""

    def __init__(self, places):
        self.places, self.calls = places, 0

    def __call__(self, _connection, region, kecamatan, kelurahan):
        self.calls += 1
        return self.places.get((kecamatan, kelurahan))


def place(village_id):
    return Place(1, "Kota Tegal", 2, "Tegal Selatan", village_id, agencies={})


def test_a_complete_match_is_remembered_until_it_expires(monkeypatch):
    lookups = Lookups({("Tegal Selatan", "Bandung"): place(3)})
    monkeypatch.setattr(intake_store, "find_place", lookups)
    now = [100.0]
    cache = PlaceCache(10, clock=lambda: now[0])
    first = cache.find(None, "33.76", "Tegal Selatan", "Bandung")
    now[0] += 9.9
    assert cache.find(None, "33.76", " tegal selatan ", "BANDUNG") is first
    assert lookups.calls == 1
    now[0] += 0.2
    cache.find(None, "33.76", "Tegal Selatan", "Bandung")
    assert lookups.calls == 2
    cache.forget()
    cache.find(None, "33.76", "Tegal Selatan", "Bandung")
    assert lookups.calls == 3


def test_misses_and_a_zero_lifetime_are_never_remembered(monkeypatch):
    lookups = Lookups({("Tegal Selatan", "Baru"): place(None),
                       ("Tegal Selatan", "Bandung"): place(3)})
    monkeypatch.setattr(intake_store, "find_place", lookups)
    cache = PlaceCache(10)
    for _ in range(2):
        assert cache.find(None, "33.76", "Tegal Selatan", "Baru").village_id is None
        assert cache.find(None, "33.76", "Nowhere", "Bandung") is None
    assert lookups.calls == 4
    uncached = PlaceCache(0)
    for _ in range(2):
        uncached.find(None, "33.76", "Tegal Selatan", "Bandung")
    assert lookups.calls == 6


def test_the_memory_is_bounded(monkeypatch):
    monkeypatch.setattr(intake_store, "find_place", lambda *_: place(3))
    cache = PlaceCache(10)
    for n in range(PlaceCache.MAX_ENTRIES + 5):
        cache.find(None, "33.76", "Tegal Selatan", f"Desa {n}")
    assert len(cache._entries) <= PlaceCache.MAX_ENTRIES
