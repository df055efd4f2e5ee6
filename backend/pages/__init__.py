"""The live room's web pages: sign-in, meeting home, the text (delegations and
observers), the chair's console, the projection screen and the Secretariat's
desk. Views are thin: every read goes through ``drafting.selectors`` and every
write through ``drafting.services``, the same functions the API calls."""
