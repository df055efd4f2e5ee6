"""The drafting domain: delegations, meetings, declarations, revisions,
paragraphs, proposals and the event log, with the services that change them
and the selectors that read them. Imports neither ``backend`` nor ``exports``."""
