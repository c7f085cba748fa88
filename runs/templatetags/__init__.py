"""Template filters and tags for the dashboard pages (status badges, durations, artifact links)."""
