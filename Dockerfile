# Multi-stage build: a static envwatch binary on a minimal, non-root image with tzdata.
# docker build --build-arg VERSION=$(git describe --tags --always) --build-arg REVISION=$(git rev-parse --short HEAD) \
#   --build-arg BUILD_DATE=$(date -u +%Y-%m-%dT%H:%M:%SZ) -t envwatch:VERSION .   (or: make docker)
FROM golang:1.26-bookworm AS build
ARG VERSION=dev
ARG REVISION=unknown
ARG BRANCH=unknown
ARG BUILD_DATE=unknown
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w \
      -X github.com/prometheus/common/version.Version=${VERSION} \
      -X github.com/prometheus/common/version.Revision=${REVISION} \
      -X github.com/prometheus/common/version.Branch=${BRANCH} \
      -X github.com/prometheus/common/version.BuildUser=docker \
      -X github.com/prometheus/common/version.BuildDate=${BUILD_DATE}" \
      -o /out/envwatch ./cmd/envwatch
# The state directory, owned by the runtime user (distroless nonroot: 65532): a fresh named
# volume mounted there takes this ownership, so the state store can be created.
RUN mkdir -p /out/state

FROM gcr.io/distroless/static-debian12:nonroot
ARG VERSION=dev
ARG REVISION=unknown
LABEL org.opencontainers.image.title="envwatch" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.licenses="MIT" \
      org.opencontainers.image.source="https://github.com/envwatch/envwatch"
# tzdata is compiled into the binary (time/tzdata), and the image carries the zoneinfo too.
COPY --from=build /usr/share/zoneinfo /usr/share/zoneinfo
COPY --from=build /out/envwatch /usr/local/bin/envwatch
COPY --from=build --chown=65532:65532 /out/state /var/lib/envwatch
USER 65532:65532
WORKDIR /var/lib/envwatch
EXPOSE 9065 8212
VOLUME ["/var/lib/envwatch"]
# The health check reads the same web configuration as the service when
# ENVWATCH_WEB_CONFIG_FILE names it (TLS pinned, basic auth with ENVWATCH_API_PASSWORD).
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s CMD ["/usr/local/bin/envwatch", "healthcheck"]
ENTRYPOINT ["/usr/local/bin/envwatch"]
CMD ["run", "--config", "/etc/envwatch/envwatch.yaml"]
