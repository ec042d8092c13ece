"""The static site: structure (what pages exist), pages (their contexts), build (writing them)."""
