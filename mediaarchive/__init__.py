"""mediaarchive: an archive for the media of public events.

Fetches assets from S3-style links, manifests and Notion page exports, keeps the originals
content-addressed, transcodes, transcribes German speech, reads text in images, and indexes
everything for search.
"""

import os

__version__ = "0.1.0"

# numpy's OpenBLAS runs one thread (set before numpy loads): the cores are budgeted to the
# speech decoder (``--jobs``, threads per job), and two job threads multiplying matrices at
# once (Whisper's log-Mel features) through OpenBLAS's own thread pool were seen to spin
# on its lock: a batch of 24 clips did 4 in 15 minutes. ``OPENBLAS_NUM_THREADS`` overrides.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
