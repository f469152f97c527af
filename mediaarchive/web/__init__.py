"""The web page and JSON API: ``create_app(archive)``; ``mediaarchive serve`` runs it."""

from mediaarchive.web.app import create_app

__all__ = ["create_app"]
