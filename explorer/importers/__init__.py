"""Importers turn outside formats (the blog page text, ...) into Summary records."""
