"""Readable forms of analysis results (Markdown; JSON is `to_dict`)."""
