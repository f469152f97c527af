"""Where assets come from: links of every S3 form, plain links, files, manifests, page exports.

``expand`` turns what the user named into asset requests; ``fetch`` downloads one of them.
"""

from mediaarchive.sources.expand import AssetRequest, Defaults, Expansion, SourceExpander
from mediaarchive.sources.fetch import FetchedFile, FetchOptions, fetch
from mediaarchive.sources.urls import Location, parse_location

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
