# syntax=docker/dockerfile:1
#
# Relance: one image for every process. The command picks what runs:
#   all (default)  migrations, then the API and the workers in one process
#   api            migrations, then the HTTP API (REST and GraphQL) on $PORT
#   worker         migrations, then the job workers
#   migrate        migrations, then exits
#
#   docker build -t relance .
#   docker run --rm -e DATABASE_URL=postgres://… relance migrate
#   docker run -d -e DATABASE_URL=postgres://… -p 3000:3000 relance api
#   docker run -d -e DATABASE_URL=postgres://… relance worker
#   docker run --rm -e DATABASE_URL=postgres://… --entrypoint node relance api/src/cli.ts accounts create --name Acme
#
# Without DATABASE_URL, `all` starts an embedded PostgreSQL under /app/.relance (for a try;
# mount a volume there to keep its data). Node runs the TypeScript sources by type stripping:
# there is no build step, only dependencies to install.

# --- dependencies ------------------------------------------------------------------------------
FROM node:24-slim AS build
WORKDIR /app

# Only the manifests first: this layer is rebuilt when dependencies change, not when code does.
# The lockfile covers the workspaces (root + sdk), so sdk/package.json must be there too.
# Everything is installed (`npm ci`), then the dev dependencies are pruned. The client SDK is a
# workspace link (node_modules/@relance/sdk -> ../sdk) the server does not use: removed.
COPY package.json package-lock.json ./
COPY sdk/package.json ./sdk/
RUN --mount=type=cache,target=/root/.npm \
    npm ci --no-audit --no-fund \
 && npm prune --omit=dev --no-audit --no-fund \
 && rm -rf node_modules/@relance/sdk

# --- runtime -----------------------------------------------------------------------------------
FROM node:24-slim
WORKDIR /app
ENV NODE_ENV=production HOST=0.0.0.0 PORT=3000

# Code and dependencies stay owned by root, read-only for the service; only the embedded
# database's directory is writable by it.
COPY --from=build /app/node_modules ./node_modules
COPY package.json ./
COPY api ./api
COPY migrations ./migrations
COPY schema ./schema
RUN mkdir -p /app/.relance && chown node:node /app/.relance

USER node
EXPOSE 3000

# `api` and `all` answer GET /health; a `worker` (or `migrate`) process serves no HTTP and is
# healthy while it runs. The command is read from the main process's arguments (PID 1, or
# another PID under `docker run --init`).
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "const fs = require('node:fs'); const args = fs.readdirSync('/proc').filter((p) => /^[0-9]+$/.test(p)).map((p) => { try { return fs.readFileSync(`/proc/${p}/cmdline`, 'utf8').split('\\0'); } catch { return []; } }).find((a) => a.some((s) => s.endsWith('api/src/main.ts'))) ?? []; const command = args[args.findIndex((s) => s.endsWith('api/src/main.ts')) + 1] || 'all'; if (command !== 'all' && command !== 'api') process.exit(0); fetch(`http://127.0.0.1:${process.env.PORT || 3000}/health`, { signal: AbortSignal.timeout(4000) }).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1));"]

ENTRYPOINT ["node", "api/src/main.ts"]
CMD ["all"]
