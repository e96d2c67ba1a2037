# The lcagraph API (docker-compose.yml runs it next to Neo4j 5).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app

COPY pyproject.toml README.md ./
COPY lcagraph ./lcagraph
COPY graph ./graph
COPY solver ./solver
COPY loaders ./loaders
COPY api ./api
RUN pip install . && useradd --create-home --uid 10001 lcagraph

USER lcagraph
EXPOSE 8000
CMD ["lcagraph", "serve", "--host", "0.0.0.0", "--port", "8000"]
