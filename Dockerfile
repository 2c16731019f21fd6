# Multi-stage build: a static envwatch binary on a minimal, non-root image with tzdata.
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o /out/envwatch ./cmd/envwatch

FROM gcr.io/distroless/static-debian12:nonroot
# tzdata is compiled into the binary (time/tzdata), and the image carries the zoneinfo too.
COPY --from=build /usr/share/zoneinfo /usr/share/zoneinfo
COPY --from=build /out/envwatch /usr/local/bin/envwatch
USER nonroot:nonroot
EXPOSE 9065 8212
VOLUME ["/var/lib/envwatch"]
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s CMD ["/usr/local/bin/envwatch", "healthcheck", "--url", "http://127.0.0.1:9065/-/healthy"]
ENTRYPOINT ["/usr/local/bin/envwatch"]
CMD ["run", "--config", "/etc/envwatch/envwatch.yaml"]
