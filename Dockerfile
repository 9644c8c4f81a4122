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
# there is no build step, only production dependencies to install (`npm ci --omit=dev`: the dev
# tools, the 189 MB `node` package among them, are never downloaded). tini is PID 1: it
# forwards signals to node and reaps exited children (the embedded PostgreSQL's among them).

# --- dependencies ------------------------------------------------------------------------------
FROM node:24-slim AS deps
WORKDIR /app

# Only the manifests first: this layer is rebuilt when dependencies change, not when code does.
# The lockfile covers the workspaces (root + sdk), so sdk/package.json must be there too. The
# client SDK is a workspace link (node_modules/@relance/sdk -> ../sdk) the server does not use:
# removed.
COPY package.json package-lock.json ./
COPY sdk/package.json ./sdk/
RUN --mount=type=cache,target=/root/.npm \
    npm ci --omit=dev --no-audit --no-fund \
 && rm -rf node_modules/@relance/sdk

# --- runtime -----------------------------------------------------------------------------------
FROM node:24-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends tini \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
# WORKER_HEALTH_PORT: a `worker` answers GET /health there (api and all answer on PORT).
# MALLOC_ARENA_MAX=2: glibc's allocator keeps two arenas instead of one per thread (about 15 MiB
# less resident under load; see the ENTRYPOINT's memory flags).
# NODE_COMPILE_CACHE: Node's compile cache, filled while the image is built (below).
ENV NODE_ENV=production HOST=0.0.0.0 PORT=3000 WORKER_HEALTH_PORT=3001 MALLOC_ARENA_MAX=2 NODE_COMPILE_CACHE=/app/.relance/compile-cache

# Code and dependencies stay owned by root, read-only for the service; only the embedded
# database's directory is writable by it.
COPY --from=deps /app/node_modules ./node_modules
COPY package.json ./
COPY api/src ./api/src
COPY migrations ./migrations
COPY schema ./schema
RUN mkdir -p /app/.relance && chown node:node /app/.relance

USER node
EXPOSE 3000

# Every module of the service stripped of its types and compiled once, here: a process then reads
# them from the compile cache and never loads Node's TypeScript stripper (about 20 MiB resident;
# docs/operations.md#memory). `main.ts help` loads the entry point and what it imports; the app
# and the migrations are loaded on demand, so they are imported too.
RUN node api/src/main.ts help > /dev/null \
 && node --input-type=module -e "import { readdirSync } from 'node:fs'; await import('./api/src/app.ts'); for (const f of readdirSync('migrations')) if (f.endsWith('.ts')) await import('./migrations/' + f);"

# Asks the process: `api` and `all` answer GET /health on PORT; a `worker` answers it on
# WORKER_HEALTH_PORT, 200 while it reaches its job queue (it does every 5 s), 503 once that
# stalled for 30 s. A `migrate` run exits before the first check.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "const ask = (port) => fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(4000) }).then((r) => r.ok, () => false); Promise.all([ask(process.env.PORT || 3000), ask(process.env.WORKER_HEALTH_PORT || 3001)]).then(([api, worker]) => process.exit(api || worker ? 0 : 1));"]

# Node's memory flags, the same as package.json's start scripts (docs/operations.md#memory): a
# young generation of 4 MiB per semi-space and an old generation of at most 192 MiB keep an api
# under the create-invoice load under 200 MiB resident, with room for a large report; raise --max-old-space-size if a process ever stops
# with "JavaScript heap out of memory".
ENTRYPOINT ["/usr/bin/tini", "--", "node", "--max-semi-space-size=4", "--max-old-space-size=192", "api/src/main.ts"]
CMD ["all"]
