"""HTTP layer of Consenso: Django project settings, URLs and the REST API."""
