"""A document of the adopted text is the Secretariat's even when it was
rendered before the adoption (issue 13: a tracked-changes export made while
the text was a draft stayed downloadable by members after adoption)."""

from __future__ import annotations

import pytest

from drafting import services
from tests.conftest import World, agree_everything


@pytest.mark.django_db
def test_a_draft_time_tracked_changes_of_the_adopted_revision_is_the_secretariats_after_adoption(
    world: World,
) -> None:
    agree_everything(world)
    ppt = world.users["ppt"]
    revision = services.revision_issue_from_working_text(actor=ppt, declaration=world.declaration)
    mex = world.client("mex")
    before = mex.post("/api/exports/", {"declaration": world.declaration.pk, "kind": "tracked"}, format="json")
    assert before.status_code == 201, before.content
    job_id = before.json()["id"]
    assert mex.get(f"/api/exports/{job_id}/").status_code == 200
    services.adoption_propose(actor=ppt, declaration=world.declaration, revision_id=revision.pk)
    services.adoption_adopt(actor=ppt, declaration=world.declaration)
    assert mex.get(f"/api/exports/{job_id}/").status_code == 403
    assert mex.get(f"/api/exports/{job_id}/file/").status_code == 403
    assert job_id not in [j["id"] for j in mex.get("/api/exports/").json()["results"]]
    assert world.client("ts").get(f"/api/exports/{job_id}/").status_code == 200
