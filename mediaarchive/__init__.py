"""mediaarchive: an archive for the media of public events.

Fetches assets from S3-style links, manifests and Notion page exports, keeps the originals
content-addressed, transcodes, transcribes German speech, reads text in images, and indexes
everything for search.
"""

__version__ = "0.1.0"
