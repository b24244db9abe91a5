# syntax=docker/dockerfile:1
# One image for every role: ROLE=all (default), api or worker. Multi-stage: the toolchain and dev
# dependencies stay in the build stages; the runtime stage holds the compiled API, the dashboard's
# static build and production dependencies, and runs as the unprivileged `node` user.
#
# Migrations and sample data, compiled into the image (they read the same variables as the server):
#   docker compose run --rm api node api/dist/scripts/migrate.js
#   docker compose run --rm api node api/dist/scripts/seed.js
#   docker run --rm -v jobs-data:/app/data -e API_TOKENS=… -e WEBHOOK_SECRET=… jobs-scheduler node api/dist/scripts/migrate.js

ARG NODE_IMAGE=node:24-bookworm-slim

# Workspace manifests first: the dependency layers stay cached until a package.json or the lockfile changes.
FROM ${NODE_IMAGE} AS manifests
WORKDIR /app
COPY package.json package-lock.json ./
COPY api/package.json api/
COPY web/package.json web/

FROM manifests AS build
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build

FROM manifests AS prod-deps
RUN npm ci --omit=dev --workspace api --no-audit --no-fund && npm cache clean --force

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    PORT=5000 \
    HOST=0.0.0.0 \
    DATABASE_URL=/app/data/jobs.sqlite
WORKDIR /app
COPY --from=prod-deps /app/node_modules ./node_modules
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/api/package.json ./api/package.json
# api/dist: the server (src), its migrations and the migrate and seed scripts (tsconfig.build.json).
COPY --from=build /app/api/dist ./api/dist
COPY --from=build /app/web/build ./web/build
# Task modules: the default TASKS_DIR (/app/tasks). Node 24 runs .ts modules by stripping their types; mount your
# own folder under /app (e.g. /app/tasks) so that `import … from '@jobs/api/tasks'` resolves through node_modules.
COPY --from=build /app/tasks ./tasks
# The embedded SQLite default writes here; everything else in the image stays read-only to the app.
RUN mkdir -p /app/data && chown node:node /app/data
USER node
EXPOSE 5000
VOLUME ["/app/data"]
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch(`http://127.0.0.1:${process.env.PORT}/healthz`).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# SIGTERM reaches node directly (exec form): running jobs get SHUTDOWN_GRACE_MS to finish.
CMD ["node", "api/dist/src/main.js"]
