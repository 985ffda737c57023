# chanjiao HTTP API on the embedded store (one SQLite file on a volume).
#   docker build -t chanjiao .
#   docker run -p 8000:8000 -v chanjiao-data:/data -e CHANJIAO_API_KEYS=change-me \
#              -e CHANJIAO_LOAD_SAMPLE=1 chanjiao
# CHANJIAO_LOAD_SAMPLE=1 loads the bundled sample college into an empty store at start.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app
COPY pyproject.toml README.md requirements.lock ./
COPY chanjiao ./chanjiao
RUN pip install -c requirements.lock ".[server,neo4j,plan]" \
    && useradd --system --uid 10001 --home-dir /data --shell /usr/sbin/nologin chanjiao \
    && mkdir -p /data \
    && chown chanjiao:chanjiao /data

USER chanjiao
ENV CHANJIAO_STORE=/data/chanjiao.db
VOLUME ["/data"]
EXPOSE 8000

HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/api/v1/health', timeout=4)"]

CMD ["sh", "-c", "if [ \"${CHANJIAO_LOAD_SAMPLE:-0}\" = 1 ] && [ ! -s \"$CHANJIAO_STORE\" ]; then chanjiao demo --store \"$CHANJIAO_STORE\" --output /tmp/chanjiao-demo > /dev/null; fi; exec chanjiao serve --host 0.0.0.0 --port 8000 --workers \"${CHANJIAO_WORKERS:-1}\""]
