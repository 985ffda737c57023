"""Importers and exporters of public standards (O*NET, ESCO, CASE, OSMT) and the major catalogue.

Kept empty of imports: the CLI reads `CASE_ID_PREFIX` when it starts.
"""

#: The id prefix of CASE items without a humanCodingScheme (`interop.case.ID_PREFIX`).
CASE_ID_PREFIX = "CASE-"
