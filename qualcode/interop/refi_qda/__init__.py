"""REFI-QDA exchange: ``.qdc`` codebooks and ``.qdpx`` projects (pure: no database).

Export strictly (valid against the standard's schemas), import leniently (the variants NVivo,
MAXQDA, ATLAS.ti, QualCoder and others write), and say what could not be carried over.
"""

from qualcode.interop.refi_qda.codebook import read_qdc, write_qdc
from qualcode.interop.refi_qda.project_read import read_qdpx
from qualcode.interop.refi_qda.project_write import write_qdpx

__all__ = ["read_qdc", "read_qdpx", "write_qdc", "write_qdpx"]
