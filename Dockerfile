# Build the Python package and the SPA (Node 20 for Vite, Debian's Python 3.11), then ship both.
FROM node:20-bookworm-slim AS build
RUN apt-get update && apt-get install -y --no-install-recommends python3 python3-venv \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN python3 -m venv /opt/parcours \
    && /opt/parcours/bin/pip install --no-cache-dir . \
    && PARCOURS_DATA_DIR=/tmp/openapi /opt/parcours/bin/parcours openapi > frontend/openapi.json \
    && cd frontend && npm ci --no-audit --no-fund && npm run build

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends python3 ca-certificates \
    && rm -rf /var/lib/apt/lists/* && useradd --create-home parcours && mkdir /data && chown parcours /data
COPY --from=build /opt/parcours /opt/parcours
COPY --from=build /src/frontend/dist /opt/parcours-web
ENV PATH=/opt/parcours/bin:$PATH PARCOURS_FRONTEND_DIR=/opt/parcours-web PARCOURS_DATA_DIR=/data
USER parcours
EXPOSE 8000
CMD ["parcours", "serve", "--host", "0.0.0.0"]
