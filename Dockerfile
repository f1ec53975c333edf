# syntax=docker/dockerfile:1
# streamforge: one image for dummy, ping, stop (and, later, serve-producer and watch).
ARG BASE_IMAGE=node:20-bookworm-slim

# Build stage: compiles node-rdkafka's librdkafka with SSL, SASL/SCRAM and every codec.
FROM ${BASE_IMAGE} AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ libssl-dev libsasl2-dev zlib1g-dev libzstd-dev liblz4-dev ca-certificates \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
RUN npm ci --no-fund --no-audit
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY schemas ./schemas
COPY bin ./bin
RUN npm run build && npm prune --omit=dev

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
