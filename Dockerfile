# The worker image (also runs the Tencent Batch emulator: `node lib/emulator/cli.js`, see docker-compose.yml).
# Build: docker build -t tencent-batch-recovery:0.1.0 .   Configuration comes only from the environment at run
# time (README "Worker configuration"); without it the worker prints every missing variable and exits 2.

# Stage 1: compile TypeScript with the dev dependencies.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

# Stage 2: production dependencies and the compiled code only. webpack and @swc/core stay: they are runtime
# dependencies of @temporalio/worker, which bundles lib/workflows for the sandbox at every start (in memory:
# the app directory can stay read-only). bookworm (glibc) matches the SDK's prebuilt native binaries.
FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
# The Temporal SDK is a peer dependency of the package (its consumers bring their own) and the repository's
# version of it is a dev dependency: this image is such a consumer, so it promotes that version to a production
# dependency before installing (npm install keeps every version package-lock.json pins).
RUN node -e "const fs = require('fs'); const p = require('./package.json'); \
      for (const n of Object.keys(p.peerDependencies)) { p.dependencies[n] = p.devDependencies[n]; delete p.devDependencies[n]; } \
      fs.writeFileSync('package.json', JSON.stringify(p, null, 2));" \
 && npm install --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/lib ./lib
# Files stay owned by root; the process runs as the image's unprivileged `node` user and cannot change them.
USER node
# GET /healthz (TENCENT_BATCH_RECOVERY_HEALTH_ADDRESS) and Prometheus /metrics (..._METRICS_ADDRESS).
EXPOSE 8080 9464
# The worker drains on SIGTERM (in-flight tasks get TENCENT_BATCH_RECOVERY_SHUTDOWN_GRACE, 25 s by default);
# give it a longer stop timeout than that (docker stop -t / compose stop_grace_period).
STOPSIGNAL SIGTERM
CMD ["node", "lib/worker.js"]
