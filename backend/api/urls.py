from django.urls import path

from backend.api import auth_views as av
from backend.api import consensus_views as cv
from backend.api import export_views as ev
from backend.api import import_views as iv
from backend.api import library_views as lv
from backend.api import room_views as rv
from backend.api import text_views as tv
from backend.api import views

urlpatterns = [
    path("auth/token/", views.TokenView.as_view(), name="token"),
    path("auth/tokens/", av.TokenList.as_view(), name="token-list"),
    path("auth/tokens/<int:pk>/", av.TokenDetail.as_view(), name="token-detail"),
    path("auth/lockouts/", av.LockoutList.as_view(), name="lockout-list"),
    path("auth/lockouts/reset/", av.LockoutReset.as_view(), name="lockout-reset"),
    path("me/", views.MeView.as_view(), name="me"),
    path("health/", views.Health.as_view(), name="health"),
    path("delegations/", views.DelegationList.as_view(), name="delegation-list"),
    path("delegations/<int:pk>/", views.DelegationDetail.as_view(), name="delegation-detail"),
    path("meetings/", views.MeetingList.as_view(), name="meeting-list"),
    path("meetings/<int:pk>/", views.MeetingDetail.as_view(), name="meeting-detail"),
    path("declarations/", views.DeclarationList.as_view(), name="declaration-list"),
    path("declarations/<int:pk>/", views.DeclarationDetail.as_view(), name="declaration-detail"),
    path("declarations/<int:pk>/revisions/", views.DeclarationRevisions.as_view(), name="declaration-revisions"),
    path("declarations/<int:pk>/text/", tv.DeclarationText.as_view(), name="declaration-text"),
    path("declarations/<int:pk>/working-text/", cv.WorkingText.as_view(), name="declaration-working-text"),
    path("declarations/<int:pk>/revisions/next/", cv.NextRevision.as_view(), name="declaration-next-revision"),
    path("declarations/<int:pk>/adoption/", cv.AdoptionView.as_view(), name="declaration-adoption"),
    path("declarations/<int:pk>/adoption/object/", cv.AdoptionObject.as_view(), name="adoption-object"),
    path(
        "declarations/<int:pk>/adoption/objection/",
        cv.AdoptionObjectionWithdraw.as_view(),
        name="adoption-objection",
    ),
    path("declarations/<int:pk>/adoption/adopt/", cv.AdoptionAdopt.as_view(), name="adoption-adopt"),
    path("declarations/<int:pk>/adoption/withdraw/", cv.AdoptionWithdraw.as_view(), name="adoption-withdraw"),
    path("declarations/<int:pk>/adoption/break-silence/", cv.SilenceBreak.as_view(), name="silence-break"),
    path("declarations/<int:pk>/statements/", cv.Statements.as_view(), name="declaration-statements"),
    path("declarations/<int:pk>/record/", cv.NegotiationRecord.as_view(), name="declaration-record"),
    path("declarations/<int:pk>/diff/", cv.RevisionCompare.as_view(), name="declaration-diff"),
    path("revisions/", views.RevisionList.as_view(), name="revision-list"),
    path("revisions/<int:pk>/", tv.RevisionDetail.as_view(), name="revision-detail"),
    path("revisions/<int:pk>/proposals/", tv.RevisionProposals.as_view(), name="revision-proposals"),
    path("paragraphs/<int:pk>/", views.ParagraphDetail.as_view(), name="paragraph-detail"),
    path("paragraphs/<int:pk>/transition/", cv.ParagraphTransition.as_view(), name="paragraph-transition"),
    path("paragraphs/<int:pk>/object/", cv.ParagraphObject.as_view(), name="paragraph-object"),
    path("paragraphs/<int:pk>/objection/", cv.ParagraphObjection.as_view(), name="paragraph-objection"),
    path("proposals/", views.ProposalList.as_view(), name="proposal-list"),
    path("proposals/<int:pk>/", views.ProposalDetail.as_view(), name="proposal-detail"),
    path("proposals/<int:pk>/withdraw/", views.ProposalWithdraw.as_view(), name="proposal-withdraw"),
    path("proposals/<int:pk>/diff/", cv.ProposalPreview.as_view(), name="proposal-diff"),
    path("proposals/<int:pk>/support/", views.ProposalSupport.as_view(), name="proposal-support"),
    path("proposals/<int:pk>/object/", views.ProposalObject.as_view(), name="proposal-object"),
    path("proposals/<int:pk>/position/", views.ProposalPosition.as_view(), name="proposal-position"),
    path("proposals/<int:pk>/accept/", views.ProposalAccept.as_view(), name="proposal-accept"),
    path("proposals/<int:pk>/reject/", views.ProposalReject.as_view(), name="proposal-reject"),
    path("events/", views.EventList.as_view(), name="event-list"),
    path("exports/", ev.ExportList.as_view(), name="export-list"),
    path("exports/<int:pk>/", ev.ExportDetail.as_view(), name="export-detail"),
    path("exports/<int:pk>/file/", ev.ExportFile.as_view(), name="export-file"),
    path("imports/", iv.ImportList.as_view(), name="import-list"),
    path("imports/<int:pk>/", iv.ImportDetail.as_view(), name="import-detail"),
    path("imports/<int:pk>/confirm/", iv.ImportConfirm.as_view(), name="import-confirm"),
    path("imports/<int:pk>/corrections/", iv.ImportCorrections.as_view(), name="import-corrections"),
    path("library/", lv.LibrarySearch.as_view(), name="library-search"),
    path("library/<int:pk>/", lv.LibraryStatement.as_view(), name="library-statement"),
    path("library/<int:pk>/propose/", lv.LibraryPropose.as_view(), name="library-propose"),
    path("declarations/<int:pk>/discussing/", rv.Discussing.as_view(), name="declaration-discussing"),
    path("declarations/<int:pk>/agree-uncontested/", rv.AgreeUncontested.as_view(), name="agree-uncontested"),
    path("meetings/<int:pk>/accounts/", rv.Accounts.as_view(), name="meeting-accounts"),
    path("meetings/<int:pk>/accounts/<int:user_id>/reset/", rv.AccountReset.as_view(), name="account-reset"),
    path(
        "meetings/<int:pk>/accounts/<int:user_id>/deactivate/",
        rv.AccountDeactivate.as_view(),
        name="account-deactivate",
    ),
]
