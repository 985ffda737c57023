"""CLI commands grouped by area; see `common` for what they share."""
