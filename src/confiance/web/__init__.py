"""The web app and REST API: ``create_app(settings)`` builds one; ``confiance serve`` runs it."""
