"""History of the graph: named versions, the change log, and comparing two states."""
