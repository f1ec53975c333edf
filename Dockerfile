# syntax=docker/dockerfile:1
# streamforge: one image for every subcommand (dummy, ping, stop, serve-producer, watch,
# monitor), made of the single executable on Debian with the shared libraries it needs: no
# Node, no npm, no node_modules. The executable is built first, on the host (make dist: Linux
# x86-64), and copied in. Built here without a Docker engine by scripts/container-image.sh
# (make docker-build: make dist, then buildah on a base made from Debian packages); elsewhere
# `make dist && docker build .` works on debian:bookworm-slim.
ARG BASE_IMAGE=debian:bookworm-slim
FROM ${BASE_IMAGE}
# What `ldd` shows the executable and librdkafka need beyond the base system: OpenSSL and
# Cyrus SASL (SCRAM); the rest (libstdc++, zlib, zstd, lz4) is in every Debian base already.
RUN apt-get update \
 && apt-get install -y --no-install-recommends libssl3 libsasl2-2 libstdc++6 zlib1g libzstd1 liblz4-1 ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && (id streamforge >/dev/null 2>&1 || useradd --uid 1000 --create-home --shell /usr/sbin/nologin streamforge)
COPY dist/streamforge-linux-x64 /usr/local/bin/streamforge
USER streamforge
# The executable writes node-rdkafka's addon and librdkafka to ~/.cache/streamforge on first
# use (checked by their SHA-256 at each start); a read-only root file system needs an emptyDir
# there or XDG_CACHE_HOME pointed at one.
WORKDIR /home/streamforge
EXPOSE 8000
ENTRYPOINT ["streamforge"]
CMD ["dummy", "--simulate-loading", "--exit-after", "30"]
