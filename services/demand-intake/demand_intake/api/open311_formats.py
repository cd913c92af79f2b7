"""Open311 GeoReport v2 answers as JSON or XML (the spec's two formats, chosen by the path's `.json` /
`.xml`). The XML is the JSON's data under the spec's element names: a list is an element named by its
key (`services`, `service_requests`, `errors`, ...) holding one element per item, named as the spec
names them (`service`, `request`, `error`, ...); a missing value is an empty element."""

from __future__ import annotations

import re
from typing import Any
from xml.etree.ElementTree import Element, SubElement, tostring

from fastapi.responses import JSONResponse, Response

FORMATS = ("json", "xml")
MEDIA_TYPES = {"json": "application/json", "xml": "text/xml"}

# Characters XML 1.0 cannot carry at all (a description may hold them): replaced, or no parser reads it.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")

# A list's element name -> its items' element name.
ITEMS = {"services": "service", "service_requests": "request", "errors": "error", "endpoints": "endpoint",
         "formats": "format", "attributes": "attribute", "values": "value"}


def _fill(parent: Element, value: Any) -> None:
    if isinstance(value, dict):
        for key, inner in value.items():
            _fill(SubElement(parent, key), inner)
    elif isinstance(value, list):
        for inner in value:
            _fill(SubElement(parent, ITEMS[parent.tag]), inner)
    elif isinstance(value, bool):
        parent.text = "true" if value else "false"
    elif value is not None:
        parent.text = _NOT_XML.sub("\ufffd", str(value))


def to_xml(data: Any, root: str) -> bytes:
    element = Element(root)
    _fill(element, data)
    return tostring(element, encoding="utf-8", xml_declaration=True)


def answer(fmt: str, data: Any, root: str, status: int = 200) -> Response:
    """`data` in the format asked for; `root` names the XML document's element (`services`, ...)."""
    if fmt == "xml":
        return Response(to_xml(data, root), status_code=status, media_type=MEDIA_TYPES["xml"])
    return JSONResponse(data, status_code=status)
