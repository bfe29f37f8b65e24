"""SPRO accueil-site finder: nearest lieux d'accueil of the Service public régional de l'orientation."""

__version__ = "0.1.0"
