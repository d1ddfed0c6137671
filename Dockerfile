# asimap: build stage compiles the grammar and TypeScript; the runtime stage is a slim Node 20
# image with nmh, the compiled server and production dependencies only.
FROM node:20-bookworm AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY grammar ./grammar
COPY scripts ./scripts
COPY src ./src
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim AS prod
RUN apt-get update \
    && apt-get install -y --no-install-recommends nmh openssl \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --gid 900 app \
    && useradd --uid 900 --gid 900 --home-dir /opt/asimap --no-create-home app \
    && mkdir -p /opt/asimap/ssl /opt/asimap/traces /opt/asimap/logs /opt/asimap/profiles \
    && chown -R app:app /opt/asimap
WORKDIR /app
COPY --from=build /src/package.json ./
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/dist ./dist
COPY examples/asimapd_log.json /opt/asimap/asimapd_log.example.json
ENV NODE_ENV=production \
    PATH=/app/node_modules/.bin:/usr/bin/mh:$PATH \
    PWFILE=/opt/asimap/pwfile \
    SSL_CERT=/opt/asimap/ssl/ssl_crt.pem \
    SSL_KEY=/opt/asimap/ssl/ssl_key.pem \
    TRACE_DIR=/opt/asimap/traces
VOLUME ["/opt/asimap"]
EXPOSE 993
# Non-root by default: every user's mail must then belong to uid 900. To serve several Unix
# users, run the container as root (`--user 0`): the root process then drops each user process
# to the owner of that user's mail directory.
USER app
CMD ["node", "/app/dist/src/cli/asimapd.js"]

FROM prod AS dev
USER root
RUN apt-get update \
    && apt-get install -y --no-install-recommends procps less vim-tiny \
    && rm -rf /var/lib/apt/lists/*
USER app
