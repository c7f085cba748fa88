"""One command per module (manage.py <name>)."""
