# The lcagraph API (docker-compose.yml runs it next to Neo4j 5).

# GraphiQL and /docs assets: the pinned npm packages of api/webassets/packages.txt (sha512-checked).
FROM node:20-slim AS webassets
RUN apt-get update && apt-get install -y --no-install-recommends python3 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY api/webassets/packages.txt api/webassets/packages.txt
COPY scripts/vendor_webassets.py scripts/vendor_webassets.py
RUN python3 scripts/vendor_webassets.py

FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app

COPY pyproject.toml README.md ./
COPY lcagraph ./lcagraph
COPY graph ./graph
COPY solver ./solver
COPY loaders ./loaders
COPY api ./api
COPY --from=webassets /app/api/webassets/vendor ./api/webassets/vendor
RUN pip install . && useradd --create-home --uid 10001 lcagraph

USER lcagraph
EXPOSE 8000
CMD ["lcagraph", "serve", "--host", "0.0.0.0", "--port", "8000"]
