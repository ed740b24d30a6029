"""Time seed_demo in a test DB (run with pytest)."""
import datetime, time
import pytest
from rapport.care.demo_seed import seed_demo

@pytest.mark.django_db
def test_time() -> None:
    best = []
    for _ in range(3):
        from django.db import transaction
        t = time.perf_counter()
        with transaction.atomic():
            seed_demo(seed=2026, today=datetime.date(2026, 11, 23))
            best.append(time.perf_counter() - t)
            transaction.set_rollback(True)
    print("\nSEED TIMES", [round(b, 2) for b in best])
