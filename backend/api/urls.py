from django.urls import path

from backend.api import views

urlpatterns = [
    path("auth/token/", views.TokenView.as_view(), name="token"),
    path("me/", views.MeView.as_view(), name="me"),
    path("health/", views.Health.as_view(), name="health"),
    path("delegations/", views.DelegationList.as_view(), name="delegation-list"),
    path("delegations/<int:pk>/", views.DelegationDetail.as_view(), name="delegation-detail"),
    path("meetings/", views.MeetingList.as_view(), name="meeting-list"),
    path("meetings/<int:pk>/", views.MeetingDetail.as_view(), name="meeting-detail"),
    path("declarations/", views.DeclarationList.as_view(), name="declaration-list"),
    path("declarations/<int:pk>/", views.DeclarationDetail.as_view(), name="declaration-detail"),
    path("declarations/<int:pk>/revisions/", views.DeclarationRevisions.as_view(), name="declaration-revisions"),
    path("declarations/<int:pk>/text/", views.DeclarationText.as_view(), name="declaration-text"),
    path("revisions/", views.RevisionList.as_view(), name="revision-list"),
    path("revisions/<int:pk>/", views.RevisionDetail.as_view(), name="revision-detail"),
    path("paragraphs/<int:pk>/", views.ParagraphDetail.as_view(), name="paragraph-detail"),
    path("proposals/", views.ProposalList.as_view(), name="proposal-list"),
    path("proposals/<int:pk>/", views.ProposalDetail.as_view(), name="proposal-detail"),
    path("proposals/<int:pk>/withdraw/", views.ProposalWithdraw.as_view(), name="proposal-withdraw"),
    path("proposals/<int:pk>/support/", views.ProposalSupport.as_view(), name="proposal-support"),
    path("proposals/<int:pk>/object/", views.ProposalObject.as_view(), name="proposal-object"),
    path("proposals/<int:pk>/position/", views.ProposalPosition.as_view(), name="proposal-position"),
    path("proposals/<int:pk>/accept/", views.ProposalAccept.as_view(), name="proposal-accept"),
    path("proposals/<int:pk>/reject/", views.ProposalReject.as_view(), name="proposal-reject"),
    path("events/", views.EventList.as_view(), name="event-list"),
]
