# Broadsheet API image. Build: docker build -t broadsheet .
# Run:   docker run -p 3000:3000 -v broadsheet-data:/data broadsheet

FROM node:24-bookworm-slim AS build
WORKDIR /app
# better-sqlite3 is a native module; build tools are needed only in this stage.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build && npm prune --omit=dev

FROM node:24-bookworm-slim
# A small young generation and a capped old one keep the heap (and RSS) from ballooning under
# load: V8 otherwise lets short-lived garbage pile up to ~250 MB before a full collection. The
# live heap stays under 100 MB (re-rendering 100,000 documents at start peaked at 182 MB RSS);
# throughput is unchanged within the benchmark's spread (README, "Feeds and sitemaps").
# One malloc arena: image processing on libvips' threads otherwise leaves glibc holding freed
# memory per thread (three 2 MB uploads and their renditions: 620 MB RSS, 341 MB with one).
ENV NODE_ENV=production \
    NODE_OPTIONS="--max-semi-space-size=8 --max-old-space-size=192" \
    MALLOC_ARENA_MAX=1 \
    HOST=0.0.0.0 \
    PORT=3000 \
    DATABASE_PATH=/data/broadsheet.db \
    MEDIA_DIR=/data/media \
    SEED_DEMO=false
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY migrations ./migrations
COPY seeds ./seeds
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=3s --start-period=15s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/health/ready').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# exec form: node is PID 1's child-free process and receives SIGTERM for a graceful shutdown.
CMD ["node", "dist/server.js"]
