from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from rapport.accounts.models import Clinic
from rapport.signals.services import fit_clinic_trajectories


class Command(BaseCommand):
    help = (
        "Refit each clinic's expected-trajectory ('not on track') model per outcome measure "
        "from its own history. Run nightly; pages only read the stored models."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        for clinic in Clinic.objects.order_by("pk"):
            for fit in fit_clinic_trajectories(clinic):
                if fit.parameters:
                    state = f"fitted on {fit.n_episodes} episodes, {fit.n_scores} scores"
                else:
                    state = fit.reason
                self.stdout.write(f"{clinic.name}: {fit.instrument}: {state}")
