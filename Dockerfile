# syntax=docker/dockerfile:1
# streamforge: one image for every subcommand (dummy, ping, stop, serve-producer, watch).
# Built here without a Docker engine: scripts/container-image.sh (make docker-build) uses buildah
# on a base made from Debian packages; elsewhere `docker build .` works on node:20-bookworm-slim.
ARG BASE_IMAGE=node:20-bookworm-slim

# Build stage: compiles node-rdkafka's librdkafka with SSL, SASL/SCRAM and every codec.
FROM ${BASE_IMAGE} AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ libssl-dev libsasl2-dev zlib1g-dev libzstd-dev liblz4-dev ca-certificates \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
# empty by default; set (with the file mounted) only where a proxy re-signs TLS
ARG NODE_EXTRA_CA_CERTS=
# node-gyp uses the Node headers of the base image instead of downloading them
ENV npm_config_nodedir=/usr/local
COPY package.json package-lock.json .npmrc ./
# npm 11 may refuse its own lockfile for other platforms' optional packages (npm/cli#4828):
# then install the locked versions without rewriting it; any other failure fails the build.
# npm's download cache is a build cache, kept between builds and never in a layer. A cold
# cache once ran out of file descriptors (EMFILE, with 20,000 allowed, the CI suite running
# beside the build): npm ci is then tried once more, on a cache that is warm by then.
RUN --mount=type=cache,target=/root/.npm,sharing=locked \
    npm ci --no-fund --no-audit 2>/tmp/npm-ci.log \
 || { grep -q 'EMFILE' /tmp/npm-ci.log && npm ci --no-fund --no-audit 2>/tmp/npm-ci.log; } \
 || { grep -q 'Missing: .* from lock file' /tmp/npm-ci.log && npm install --no-save --no-fund --no-audit; } \
 || { cat /tmp/npm-ci.log >&2; exit 1; }
# fail the build if librdkafka lacks what production needs
RUN node -e "const f = require('node-rdkafka').features; const need = ['ssl', 'sasl_scram', 'gzip', 'snappy', 'lz4', 'zstd']; const missing = need.filter((x) => !f.includes(x)); if (missing.length) { console.error('node-rdkafka lacks ' + missing.join(', ')); process.exit(1); } console.log('librdkafka features: ' + f.join(','));"
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY schemas ./schemas
COPY bin ./bin
RUN npm run build && npm prune --omit=dev
# librdkafka's sources, objects and static libraries were needed only to compile (478 of
# node-rdkafka's 493 MB); at run time the addon loads build/Release/node-librdkafka.node and the
# shared libraries in build/deps. The features check runs again on what is left.
RUN cd node_modules/node-rdkafka \
 && rm -rf deps src test build/deps/*.a build/deps/include build/deps/librdkafka build/Release/obj.target \
 && node -e "const f = require('node-rdkafka').features; if (!f.includes('sasl_scram')) process.exit(1)"

# Final stage: only what runs, as a non-root user.
FROM ${BASE_IMAGE}
RUN apt-get update \
 && apt-get install -y --no-install-recommends libssl3 libsasl2-2 zlib1g libzstd1 liblz4-1 ca-certificates \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/schemas ./schemas
COPY --from=build /app/bin ./bin
RUN ln -s /app/bin/streamforge /usr/local/bin/streamforge
USER node
EXPOSE 8000
ENTRYPOINT ["streamforge"]
CMD ["dummy", "--simulate-loading", "--exit-after", "30"]
