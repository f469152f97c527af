"""The archive store on S3 (AWS, MinIO or any S3-compatible endpoint): ``s3://bucket/prefix``.

Blobs live under the same content-addressed keys as in the local store
(``PREFIX/sha256/ab/cd/<sha256>``). An S3 PUT is atomic (an object appears only when
complete), so no temporary keys are needed. Every upload is verified: the server gets
``Content-MD5`` and ``x-amz-checksum-sha256`` for each request (AWS and MinIO reject a
mismatch), and afterwards the object's size and ETag are compared with what was sent
(some S3 look-alikes accept any checksum header, the ETag check catches them too).
Files are streamed: a single PUT reads from the open file, bigger files go up in parts of
``part_size`` bytes, so memory use stays at one part whatever the size of a talk.
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cached_property
from pathlib import Path
from typing import Any, BinaryIO
from urllib.parse import urlparse

from mediaarchive.errors import ConfigError, StoreError
from mediaarchive.store.base import CHUNK, Blob, blob_key, damaged
from mediaarchive.store.owners import owner_token, remove_stale

#: Parts of a multipart upload (S3 needs at least 5 MiB for all but the last one).
DEFAULT_PART_SIZE = 16 * 1024 * 1024
MIN_PART_SIZE = 5 * 1024 * 1024
_MD5_ETAG = re.compile(r"^[0-9a-f]{32}(-\d+)?$")


def _b64(digest: bytes) -> str:
    return base64.b64encode(digest).decode("ascii")


def parse_s3_uri(uri: str) -> tuple[str, str]:
    """``s3://bucket/some/prefix`` -> (``bucket``, ``some/prefix/``); the prefix may be empty."""
    parsed = urlparse(uri)
    if parsed.scheme != "s3" or not parsed.netloc:
        raise ConfigError(f"store {uri!r} is not an S3 URI: write s3://bucket/prefix")
    prefix = parsed.path.strip("/")
    return parsed.netloc, f"{prefix}/" if prefix else ""


class S3Store:
    """Blobs as objects in an S3 bucket under a prefix.

    Credentials come from boto3's usual chain (``AWS_ACCESS_KEY_ID`` …, a profile, an
    instance role). The endpoint is ``endpoint_url`` (the ``store_endpoint_url`` setting),
    else ``AWS_ENDPOINT_URL_S3``; with a custom endpoint path-style addressing is used, which
    MinIO needs.
    """

    def __init__(
        self,
        uri: str,
        endpoint_url: str | None = None,
        *,
        part_size: int = DEFAULT_PART_SIZE,
        create_bucket: bool = True,
    ) -> None:
        self.bucket, self.prefix = parse_s3_uri(uri)
        self.uri = f"s3://{self.bucket}/{self.prefix}".rstrip("/")
        self.endpoint_url = (
            endpoint_url
            or os.environ.get("MEDIAARCHIVE_STORE_ENDPOINT_URL")
            or os.environ.get("AWS_ENDPOINT_URL_S3")
            or None
        )
        if part_size < MIN_PART_SIZE:
            raise ConfigError(f"S3 part size must be at least {MIN_PART_SIZE} bytes")
        self.part_size = part_size
        self._create_bucket = create_bucket
        self._bucket_checked = False

    @cached_property
    def client(self) -> Any:
        """A boto3 S3 client (thread-safe; created lazily so forked workers make their own)."""
        import boto3
        from botocore.config import Config

        config = Config(
            retries={"max_attempts": 5, "mode": "standard"},
            s3={"addressing_style": "path"} if self.endpoint_url else {},
            connect_timeout=10,
            read_timeout=60,
        )
        return boto3.client("s3", endpoint_url=self.endpoint_url, config=config)

    def _object_key(self, key: str) -> str:
        return f"{self.prefix}{key}"

    def _fail(self, action: str, key: str, exc: Exception) -> StoreError:
        from botocore.exceptions import ClientError

        transient = True
        if isinstance(exc, ClientError):
            status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
            transient = status >= 500 or status in (408, 429)
            detail = exc.response.get("Error", {}).get("Message") or str(exc)
        else:
            detail = str(exc)
        where = f"s3://{self.bucket}/{self._object_key(key)}"
        hint = "" if transient else " (check the bucket, credentials and endpoint)"
        return StoreError(f"cannot {action} {where}: {detail}{hint}", transient=transient)

    # -- bucket ------------------------------------------------------------------------------

    def ensure_bucket(self) -> None:
        """Create the bucket if it does not exist yet (a fresh MinIO has none)."""
        if self._bucket_checked:
            return
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            self.client.head_bucket(Bucket=self.bucket)
        except ClientError as exc:
            status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
            if status != 404 or not self._create_bucket:
                raise self._fail("reach bucket", "", exc) from exc
            region = self.client.meta.region_name
            kwargs: dict[str, Any] = {"Bucket": self.bucket}
            if region and region != "us-east-1":
                kwargs["CreateBucketConfiguration"] = {"LocationConstraint": region}
            try:
                self.client.create_bucket(**kwargs)
            except ClientError as create_exc:
                code = create_exc.response.get("Error", {}).get("Code")
                if code not in ("BucketAlreadyOwnedByYou", "BucketAlreadyExists"):
                    raise self._fail("create bucket", "", create_exc) from create_exc
        except BotoCoreError as exc:
            raise self._fail("reach bucket", "", exc) from exc
        self._bucket_checked = True

    # -- Store protocol ----------------------------------------------------------------------

    def put_file(self, path: Path, sha256: str | None = None, *, move: bool = False) -> Blob:
        """Upload a file under its sha256 (no-op when the blob is already there).

        Raises:
            StoreError: the upload failed or the stored object does not match the file.
        """
        from botocore.exceptions import BotoCoreError, ClientError

        path = Path(path)
        actual, md5, size = _digests(path)
        if sha256 is not None and sha256 != actual:
            raise StoreError(
                f"{path} does not have the expected sha256 {sha256} (it has {actual}): "
                "the file changed while it was being archived; ingest it again"
            )
        key = blob_key(actual)
        self.ensure_bucket()
        head = self._head(key)
        stored_etag = (head or {}).get("ETag", "").strip('"')
        if (
            head is not None
            and head["ContentLength"] == size
            # A whole-object MD5 ETag that differs: the stored bytes are not these; replace.
            and not (
                _MD5_ETAG.match(stored_etag) and "-" not in stored_etag and stored_etag != md5.hex()
            )
        ):
            if move:
                path.unlink(missing_ok=True)
            return Blob(key, actual, size)
        try:
            if size <= self.part_size:
                expected_etag = self._put_single(path, key, actual, md5)
            else:
                expected_etag = self._put_multipart(path, key, actual)
        except (ClientError, BotoCoreError) as exc:
            raise self._fail("upload to", key, exc) from exc
        self._verify(key, size, expected_etag)
        if move:
            path.unlink(missing_ok=True)
        return Blob(key, actual, size)

    def _put_single(self, path: Path, key: str, sha256: str, md5: bytes) -> str:
        with open(path, "rb") as body:
            self.client.put_object(
                Bucket=self.bucket,
                Key=self._object_key(key),
                Body=body,
                ContentMD5=_b64(md5),
                ChecksumSHA256=_b64(bytes.fromhex(sha256)),
                Metadata={"sha256": sha256},
            )
        return md5.hex()

    def _put_multipart(self, path: Path, key: str, sha256: str) -> str:
        object_key = self._object_key(key)
        upload = self.client.create_multipart_upload(
            Bucket=self.bucket,
            Key=object_key,
            ChecksumAlgorithm="SHA256",
            Metadata={"sha256": sha256},
        )
        upload_id = upload["UploadId"]
        parts: list[dict[str, Any]] = []
        part_md5s: list[bytes] = []
        whole = hashlib.sha256()
        try:
            with open(path, "rb") as handle:
                number = 1
                while chunk := handle.read(self.part_size):
                    whole.update(chunk)
                    md5 = hashlib.md5(chunk).digest()
                    checksum = _b64(hashlib.sha256(chunk).digest())
                    result = self.client.upload_part(
                        Bucket=self.bucket,
                        Key=object_key,
                        UploadId=upload_id,
                        PartNumber=number,
                        Body=chunk,
                        ContentMD5=_b64(md5),
                        ChecksumSHA256=checksum,
                    )
                    parts.append(
                        {"PartNumber": number, "ETag": result["ETag"], "ChecksumSHA256": checksum}
                    )
                    part_md5s.append(md5)
                    number += 1
            if whole.hexdigest() != sha256:
                raise StoreError(
                    f"{path} changed while it was uploaded to {self.uri}: ingest it again"
                )
            self.client.complete_multipart_upload(
                Bucket=self.bucket,
                Key=object_key,
                UploadId=upload_id,
                MultipartUpload={"Parts": parts},
            )
        except BaseException:
            self._abort(object_key, upload_id)
            raise
        return f"{hashlib.md5(b''.join(part_md5s)).hexdigest()}-{len(part_md5s)}"

    def _abort(self, object_key: str, upload_id: str) -> None:
        try:
            self.client.abort_multipart_upload(
                Bucket=self.bucket, Key=object_key, UploadId=upload_id
            )
        except Exception:  # noqa: BLE001 - the original failure is what the user must see
            pass

    def _verify(self, key: str, size: int, expected_etag: str) -> None:
        head = self._head(key)
        problem = None
        if head is None:
            problem = "the object is missing after the upload"
        elif head["ContentLength"] != size:
            problem = f"{head['ContentLength']} bytes stored instead of {size}"
        else:
            etag = head.get("ETag", "").strip('"')
            # With SSE-KMS/SSE-C the ETag is not an MD5; the server checked the checksums then.
            if _MD5_ETAG.match(etag) and etag != expected_etag:
                problem = f"ETag {etag} does not match the uploaded bytes ({expected_etag})"
        if problem:
            self._delete(key)
            raise StoreError(
                f"upload of {key} to {self.uri} failed verification: {problem}; retry the step",
                transient=True,
            )

    def _delete(self, key: str) -> None:
        try:
            self.client.delete_object(Bucket=self.bucket, Key=self._object_key(key))
        except Exception:  # noqa: BLE001 - best effort; the verification error is reported
            pass

    def delete(self, key: str) -> bool:
        """Remove a blob's object (a purge); True when it was there."""
        if self._head(key) is None:
            return False
        try:
            self.client.delete_object(Bucket=self.bucket, Key=self._object_key(key))
        except Exception as exc:  # noqa: BLE001 - boto3 raises many kinds
            raise self._fail("delete", key, exc) from exc
        return True

    def _head(self, key: str) -> dict[str, Any] | None:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            return self.client.head_object(Bucket=self.bucket, Key=self._object_key(key))
        except ClientError as exc:
            status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
            if status == 404:
                return None
            raise self._fail("look up", key, exc) from exc
        except BotoCoreError as exc:
            raise self._fail("look up", key, exc) from exc

    def exists(self, key: str) -> bool:
        return self._head(key) is not None

    def open(self, key: str) -> BinaryIO:
        """A streaming reader of the object's bytes (close it when done)."""
        return self._get(key)

    def open_range(self, key: str, first: int, last: int) -> BinaryIO:
        """A streaming reader of bytes ``first`` to ``last`` (inclusive) of the object.

        The web answers a player's Range request with it, so seeking in a long video
        reads only the part that is shown.
        """
        return self._get(key, Range=f"bytes={first}-{last}")

    def _get(self, key: str, **options: str) -> BinaryIO:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            response = self.client.get_object(
                Bucket=self.bucket, Key=self._object_key(key), **options
            )
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
                raise StoreError(f"blob {key} is missing from the store at {self.uri}") from exc
            raise self._fail("read", key, exc) from exc
        except BotoCoreError as exc:
            raise self._fail("read", key, exc) from exc
        return response["Body"]  # type: ignore[no-any-return]

    def local_path(self, key: str) -> Path | None:
        return None

    def uri_for(self, key: str) -> str:
        return f"s3://{self.bucket}/{self._object_key(key)}"

    def keys(self) -> Iterator[str]:
        """Every blob key under the prefix, in lexicographic order."""
        from botocore.exceptions import BotoCoreError, ClientError

        paginator = self.client.get_paginator("list_objects_v2")
        try:
            for page in paginator.paginate(Bucket=self.bucket, Prefix=f"{self.prefix}sha256/"):
                for item in page.get("Contents", []):
                    yield item["Key"][len(self.prefix) :]
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") == "NoSuchBucket":
                return
            raise self._fail("list", "sha256/", exc) from exc
        except BotoCoreError as exc:
            raise self._fail("list", "sha256/", exc) from exc

    @contextmanager
    def materialize(self, key: str, *, check: bool = True) -> Iterator[Path]:
        """Download the blob to a temporary file, checked against its sha256 on the way
        (always: the download is a full read), for the context."""
        expected = key.rsplit("/", 1)[-1]
        if not self.exists(key):
            raise damaged(key, expected, None)
        directory = Path(
            tempfile.mkdtemp(prefix=f"mediaarchive-s3-{owner_token()}-", dir=self.temp_dir())
        )
        target = directory / key.rsplit("/", 1)[-1]
        try:
            digest = hashlib.sha256()
            with self.open(key) as source, open(target, "wb") as sink:
                try:
                    while chunk := source.read(CHUNK):
                        digest.update(chunk)
                        sink.write(chunk)
                except Exception as exc:  # noqa: BLE001 - urllib3/botocore read errors vary
                    raise self._fail("download", key, exc) from exc
            if re.fullmatch(r"[0-9a-f]{64}", expected) and digest.hexdigest() != expected:
                raise damaged(key, expected, digest.hexdigest())
            yield target
        finally:
            shutil.rmtree(directory, ignore_errors=True)

    def temp_dir(self) -> Path:
        """A local folder for partial downloads before they are uploaded."""
        path = Path(tempfile.gettempdir()) / "mediaarchive-s3"
        path.mkdir(parents=True, exist_ok=True)
        return path

    def clean_temp(self) -> int:
        """Remove the local partial files of processes that are gone (uploads themselves are
        atomic and failed multipart uploads aborted)."""
        path = Path(tempfile.gettempdir()) / "mediaarchive-s3"
        return len(remove_stale(path))


class _Sha256AndMd5:
    """Both digests S3 needs from one read of the file (``file_digest`` takes one hash)."""

    def __init__(self) -> None:
        self.sha256 = hashlib.sha256()
        self.md5 = hashlib.md5()

    def update(self, data: bytes) -> None:
        self.sha256.update(data)
        self.md5.update(data)


def _digests(path: Path) -> tuple[str, bytes, int]:
    """sha256 hex, md5 digest and size of a file, read once."""
    try:
        with open(path, "rb") as handle:
            both = hashlib.file_digest(handle, _Sha256AndMd5)  # type: ignore[arg-type]
            size = os.fstat(handle.fileno()).st_size
    except OSError as exc:
        raise StoreError(f"cannot read {path} to archive it: {exc}") from exc
    return both.sha256.hexdigest(), both.md5.digest(), size
