# basin container image: a build stage that compiles basin with the project's own scripts
# (the same ones the README and CI run) and a slim runtime stage that holds the binary and
# its shared libraries only.
#
#   docker build -t basin .
#   docker run -p 127.0.0.1:8080:8080 -v basin-data:/var/lib/basin basin
#
# The server shuts down gracefully on SIGTERM within BASIN_GRACE seconds (30 by default):
# give `docker stop` more than that, e.g. `docker stop -t 45`.

# ---- build ------------------------------------------------------------------------------
FROM debian:12-slim AS build
ARG DEBIAN_FRONTEND=noninteractive
COPY . /src
WORKDIR /src
RUN scripts/install-deps.sh build && scripts/build.sh

# ---- runtime ----------------------------------------------------------------------------
FROM debian:12-slim
ARG DEBIAN_FRONTEND=noninteractive
WORKDIR /opt/basin
COPY scripts/install-deps.sh scripts/install-deps.sh
RUN scripts/install-deps.sh runtime && rm -rf /var/lib/apt/lists/*

COPY --from=build /src/build/src/basin /usr/local/bin/basin

RUN useradd --system --user-group --home-dir /var/lib/basin --shell /usr/sbin/nologin basin \
    && mkdir -p /var/lib/basin \
    && chown basin:basin /var/lib/basin \
    && chmod 0750 /var/lib/basin

VOLUME /var/lib/basin
WORKDIR /var/lib/basin
# The container listens on all its interfaces; without API tokens that needs
# BASIN_ALLOW_ANONYMOUS=1. Publish the port on loopback only (as deploy/docker-compose.yml
# does), or create tokens (docker exec ... basin token create) and drop the variable.
ENV BASIN_DB=/var/lib/basin/basin.db BASIN_LISTEN=0.0.0.0:8080 BASIN_ALLOW_ANONYMOUS=1
EXPOSE 8080
STOPSIGNAL SIGTERM

HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
    CMD curl -fsS -o /dev/null http://127.0.0.1:8080/v1/health || exit 1

USER basin
ENTRYPOINT ["basin"]
CMD ["serve"]
