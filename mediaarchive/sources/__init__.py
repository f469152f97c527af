"""Where assets come from: links of every S3 form, plain links, files, manifests, page exports.

``expand`` turns what the user named into asset requests; ``fetch`` downloads one of them.
"""

from __future__ import annotations

from mediaarchive.faces import lazy_face

__all__ = [
    "AssetRequest",
    "Defaults",
    "Expansion",
    "FetchOptions",
    "FetchedFile",
    "Location",
    "SourceExpander",
    "fetch",
    "parse_location",
]

#: Where each public name lives; its module is imported on first use.
_NAMES = {
    "AssetRequest": "expand",
    "Defaults": "expand",
    "Expansion": "expand",
    "FetchOptions": "download",
    "FetchedFile": "download",
    "Location": "urls",
    "SourceExpander": "expand",
    "fetch": "download",
    "parse_location": "urls",
}

__getattr__, __dir__ = lazy_face(__name__, _NAMES)
