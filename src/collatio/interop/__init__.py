"""Formats read back into the model: collatio's own TEI and JSON apparatus, as an apparatus
(exact) or as witnesses (rebuilt from the documents). Importing this package registers
their readers (:mod:`collatio.interop.readers`) with :mod:`collatio.readers`."""

from collatio.interop.readers import ApparatusReader, CollatioJSONReader, CollatioTEIReader

__all__ = ["ApparatusReader", "CollatioJSONReader", "CollatioTEIReader"]
