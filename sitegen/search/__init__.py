"""Full-text search for the built site."""
