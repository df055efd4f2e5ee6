"""The pages' addresses. Reads are GETs; every action is a POST of a form
(CSRF-checked) that calls one service and redirects back (Post/Redirect/Get)."""

from django.urls import path

from backend.pages import auth, chair, desk, library, links, live, negotiate, room, stream

app_name = "pages"

urlpatterns = [
    path("", room.home, name="home"),
    path("sign-in/", auth.SignInView.as_view(), name="sign-in"),
    path("sign-out/", auth.SignOutView.as_view(), name="sign-out"),
    path("sign-in/link/<str:secret>/", links.link_sign_in, name="link-sign-in"),
    path("live/meetings/<int:pk>/", live.meeting_changes, name="live"),
    path("live/meetings/<int:pk>/events/", stream.meeting_events, name="live-events"),
    path("meetings/<int:pk>/", room.meeting, name="meeting"),
    # the text: delegations and observers
    path("declarations/<int:pk>/text/", room.text, name="text"),
    path("declarations/<int:pk>/compare/", room.compare, name="compare"),
    path("declarations/<int:pk>/screen/", room.screen, name="screen"),
    path("declarations/<int:pk>/propose/", negotiate.propose, name="propose"),
    path("proposals/<int:pk>/support/", negotiate.on_proposal, {"act": "support"}, name="support"),
    path("proposals/<int:pk>/object/", negotiate.on_proposal, {"act": "object"}, name="object"),
    path(
        "proposals/<int:pk>/position/withdraw/",
        negotiate.on_proposal,
        {"act": "position-withdraw"},
        name="position-withdraw",
    ),
    path("proposals/<int:pk>/withdraw/", negotiate.on_proposal, {"act": "withdraw"}, name="withdraw"),
    path("paragraphs/<int:pk>/object/", negotiate.paragraph_object, name="paragraph-object"),
    path(
        "paragraphs/<int:pk>/objection/withdraw/",
        negotiate.paragraph_objection_withdraw,
        name="paragraph-objection-withdraw",
    ),
    path("paragraphs/<int:pk>/translation/", negotiate.translation, name="translation"),
    path("declarations/<int:pk>/adoption/object/", negotiate.adoption_object, name="adoption-object"),
    path("declarations/<int:pk>/adoption/break-silence/", negotiate.silence_break, name="silence-break"),
    path("declarations/<int:pk>/statements/", negotiate.statement, name="statement"),
    # the agreed-language library
    path("library/", library.search, name="library"),
    path("library/<int:pk>/", library.statement, name="library-statement"),
    path("library/<int:pk>/propose/", library.propose, name="library-propose"),
    # the chair's console
    path("declarations/<int:pk>/chair/", chair.console, name="chair"),
    path("proposals/<int:pk>/decide/", chair.decide, name="decide"),
    path("paragraphs/<int:pk>/act/", chair.act, name="act"),
    path("paragraphs/<int:pk>/bracket/", chair.bracket, name="bracket"),
    path("declarations/<int:pk>/discuss/", chair.discuss, name="discuss"),
    path("declarations/<int:pk>/agree-uncontested/", chair.agree_uncontested, name="agree-uncontested"),
    path("declarations/<int:pk>/issue/", chair.issue, name="issue"),
    path("declarations/<int:pk>/adoption/start/", chair.adoption_start, name="adoption-start"),
    path("declarations/<int:pk>/adoption/adopt/", chair.adoption_adopt, name="adoption-adopt"),
    path("declarations/<int:pk>/adoption/withdraw/", chair.adoption_withdraw, name="adoption-withdraw"),
    # the Secretariat's desk
    path("meetings/<int:pk>/desk/", desk.desk, name="desk"),
    path("meetings/<int:pk>/desk/setup/", desk.setup, name="setup"),
    path("meetings/<int:pk>/desk/accounts/", desk.account_create, name="account-create"),
    path("meetings/<int:pk>/desk/accounts/<int:user_id>/reset/", desk.account_reset, name="account-reset"),
    path(
        "meetings/<int:pk>/desk/accounts/<int:user_id>/deactivate/",
        desk.account_deactivate,
        name="account-deactivate",
    ),
    path("meetings/<int:pk>/desk/accounts/<int:user_id>/link/", links.link_create, name="link-create"),
    path("meetings/<int:pk>/desk/links/<int:link_id>/revoke/", links.link_revoke, name="link-revoke"),
    path("meetings/<int:pk>/desk/imports/", desk.import_create, name="import-create"),
    path("imports/<int:pk>/", desk.import_preview, name="import-preview"),
    path("imports/<int:pk>/correct/", desk.import_correct, name="import-correct"),
    path("imports/<int:pk>/confirm/", desk.import_confirm, name="import-confirm"),
    path("meetings/<int:pk>/desk/exports/", desk.export_create, name="export-create"),
]
