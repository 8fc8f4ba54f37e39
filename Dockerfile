# syntax=docker/dockerfile:1
# lpg-ussd: a multi-stage image, run as a non-root user, with a health check.

FROM python:3.11-slim AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
WORKDIR /src
COPY pyproject.toml README.md ./
COPY src ./src
RUN pip install .

FROM python:3.11-slim
RUN useradd --system --uid 10001 --create-home --home-dir /app lpg
WORKDIR /app
COPY --from=build /opt/venv /opt/venv
COPY --chown=lpg:lpg migrations ./migrations
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    LPG_USSD_MIGRATIONS_DIR=/app/migrations
USER lpg
EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=3s --start-period=15s --retries=3 \
  CMD ["python", "-c", "import sys, urllib.request as u; sys.exit(u.urlopen('http://127.0.0.1:8000/health/live', timeout=2).status != 200)"]
CMD ["lpg-ussd", "serve", "--host", "0.0.0.0", "--port", "8000"]
