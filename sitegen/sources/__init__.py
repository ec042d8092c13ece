"""Readers of ministry search-API pages: each turns a page file into raw records."""
