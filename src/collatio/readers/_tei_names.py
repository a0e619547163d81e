"""Names of the TEI format that sniffing a file needs before any XML is parsed (the XML
parser and the transcriber are imported only when a TEI file is read)."""

TEI_NS = "http://www.tei-c.org/ns/1.0"
#: The children of <choice>, in the default order of preference (the document's own text).
CHOICE_DEFAULT = ("sic", "abbr", "orig")
