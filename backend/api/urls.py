"""The API's URLs, one feature package each (``backend/api/<feature>/views.py``)."""

from django.urls import path

from backend.api.accounts import views as accounts
from backend.api.adoption import views as adoption
from backend.api.consensus import views as consensus
from backend.api.events import views as events
from backend.api.exports import views as exports
from backend.api.health import views as health
from backend.api.imports import views as imports
from backend.api.library import views as library
from backend.api.organisation import views as organisation
from backend.api.proposals import views as proposals
from backend.api.room import views as room
from backend.api.texts import views as texts

urlpatterns = [
    path("auth/token/", accounts.TokenView.as_view(), name="token"),
    path("auth/tokens/", accounts.TokenList.as_view(), name="token-list"),
    path("auth/tokens/<int:pk>/", accounts.TokenDetail.as_view(), name="token-detail"),
    path("auth/lockouts/", accounts.LockoutList.as_view(), name="lockout-list"),
    path("auth/lockouts/reset/", accounts.LockoutReset.as_view(), name="lockout-reset"),
    path("me/", accounts.MeView.as_view(), name="me"),
    path("health/", health.Health.as_view(), name="health"),
    path("delegations/", organisation.DelegationList.as_view(), name="delegation-list"),
    path("delegations/<int:pk>/", organisation.DelegationDetail.as_view(), name="delegation-detail"),
    path("meetings/", organisation.MeetingList.as_view(), name="meeting-list"),
    path("meetings/<int:pk>/", organisation.MeetingDetail.as_view(), name="meeting-detail"),
    path("declarations/", texts.DeclarationList.as_view(), name="declaration-list"),
    path("declarations/<int:pk>/", texts.DeclarationDetail.as_view(), name="declaration-detail"),
    path("declarations/<int:pk>/revisions/", texts.DeclarationRevisions.as_view(), name="declaration-revisions"),
    path("declarations/<int:pk>/text/", texts.DeclarationText.as_view(), name="declaration-text"),
    path("declarations/<int:pk>/working-text/", consensus.WorkingText.as_view(), name="declaration-working-text"),
    path("declarations/<int:pk>/revisions/next/", consensus.NextRevision.as_view(), name="declaration-next-revision"),
    path("declarations/<int:pk>/adoption/", adoption.AdoptionView.as_view(), name="declaration-adoption"),
    path("declarations/<int:pk>/adoption/object/", adoption.AdoptionObject.as_view(), name="adoption-object"),
    path(
        "declarations/<int:pk>/adoption/objection/",
        adoption.AdoptionObjectionWithdraw.as_view(),
        name="adoption-objection",
    ),
    path("declarations/<int:pk>/adoption/adopt/", adoption.AdoptionAdopt.as_view(), name="adoption-adopt"),
    path("declarations/<int:pk>/adoption/withdraw/", adoption.AdoptionWithdraw.as_view(), name="adoption-withdraw"),
    path("declarations/<int:pk>/adoption/break-silence/", adoption.SilenceBreak.as_view(), name="silence-break"),
    path("declarations/<int:pk>/statements/", adoption.Statements.as_view(), name="declaration-statements"),
    path("declarations/<int:pk>/record/", consensus.NegotiationRecord.as_view(), name="declaration-record"),
    path("declarations/<int:pk>/diff/", texts.RevisionCompare.as_view(), name="declaration-diff"),
    path("revisions/", texts.RevisionList.as_view(), name="revision-list"),
    path("revisions/<int:pk>/", texts.RevisionDetail.as_view(), name="revision-detail"),
    path("paragraphs/<int:pk>/", texts.ParagraphDetail.as_view(), name="paragraph-detail"),
    path("paragraphs/<int:pk>/transition/", consensus.ParagraphTransition.as_view(), name="paragraph-transition"),
    path("paragraphs/<int:pk>/object/", consensus.ParagraphObject.as_view(), name="paragraph-object"),
    path("paragraphs/<int:pk>/objection/", consensus.ParagraphObjection.as_view(), name="paragraph-objection"),
    path("proposals/", proposals.ProposalList.as_view(), name="proposal-list"),
    path("proposals/<int:pk>/", proposals.ProposalDetail.as_view(), name="proposal-detail"),
    path("proposals/<int:pk>/withdraw/", proposals.ProposalWithdraw.as_view(), name="proposal-withdraw"),
    path("proposals/<int:pk>/diff/", proposals.ProposalPreview.as_view(), name="proposal-diff"),
    path("proposals/<int:pk>/support/", proposals.ProposalSupport.as_view(), name="proposal-support"),
    path("proposals/<int:pk>/object/", proposals.ProposalObject.as_view(), name="proposal-object"),
    path("proposals/<int:pk>/position/", proposals.ProposalPosition.as_view(), name="proposal-position"),
    path("proposals/<int:pk>/accept/", proposals.ProposalAccept.as_view(), name="proposal-accept"),
    path("proposals/<int:pk>/reject/", proposals.ProposalReject.as_view(), name="proposal-reject"),
    path("events/", events.EventList.as_view(), name="event-list"),
    path("exports/", exports.ExportList.as_view(), name="export-list"),
    path("exports/<int:pk>/", exports.ExportDetail.as_view(), name="export-detail"),
    path("exports/<int:pk>/file/", exports.ExportFile.as_view(), name="export-file"),
    path("imports/", imports.ImportList.as_view(), name="import-list"),
    path("imports/<int:pk>/", imports.ImportDetail.as_view(), name="import-detail"),
    path("imports/<int:pk>/confirm/", imports.ImportConfirm.as_view(), name="import-confirm"),
    path("imports/<int:pk>/corrections/", imports.ImportCorrections.as_view(), name="import-corrections"),
    path("library/", library.LibrarySearch.as_view(), name="library-search"),
    path("library/<int:pk>/", library.LibraryStatement.as_view(), name="library-statement"),
    path("library/<int:pk>/propose/", library.LibraryPropose.as_view(), name="library-propose"),
    path("declarations/<int:pk>/discussing/", room.Discussing.as_view(), name="declaration-discussing"),
    path("declarations/<int:pk>/agree-uncontested/", room.AgreeUncontested.as_view(), name="agree-uncontested"),
    path("meetings/<int:pk>/accounts/", accounts.Accounts.as_view(), name="meeting-accounts"),
    path("meetings/<int:pk>/accounts/<int:user_id>/reset/", accounts.AccountReset.as_view(), name="account-reset"),
    path(
        "meetings/<int:pk>/accounts/<int:user_id>/deactivate/",
        accounts.AccountDeactivate.as_view(),
        name="account-deactivate",
    ),
]
