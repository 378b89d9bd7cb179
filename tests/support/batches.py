"""Large synthetic batches, for the size-limit tests and the rendering benchmark."""

from __future__ import annotations

from autosana_action.autosana.models import BatchStatus, Run, RunGroup

LONG_SUMMARY = "The assistant tapped through the screen and checked every element. "


def big_batch(groups: int, runs_per_group: int, failing_every: int, summary: str = LONG_SUMMARY * 8) -> BatchStatus:
    """``groups`` failed groups; every ``failing_every``-th run failed, the rest passed."""
    return BatchStatus(
        is_complete=True,
        run_groups=[
            RunGroup(
                name=f"Suite {g}",
                status="failed",
                url=f"https://autosana.ai/runs/groups/{g}",
                runs=[
                    Run(
                        id=f"{g}-{r}",
                        name=f"Flow {g}.{r} with a fairly long descriptive name",
                        status="failed" if (g * runs_per_group + r) % failing_every == 0 else "passed",
                        url=f"https://autosana.ai/runs/flow/{g}-{r}",
                        summary=summary,
                    )
                    for r in range(runs_per_group)
                ],
            )
            for g in range(groups)
        ],
    )
