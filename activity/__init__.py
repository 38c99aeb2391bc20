"""The referents' activity log and the points d'étape (Review)."""
