#!/usr/bin/env bash
# Used by `make dist`: release archives, .deb and .rpm for each architecture, and checksums.
set -euo pipefail
version=$1 dist=$2 nfpm=$3 ldflags=$4
shift 4
cd "$(dirname "$0")/.."
rm -rf "$dist"
mkdir -p "$dist"
pkgversion=${version#v}
case $pkgversion in [0-9]*) ;; *) pkgversion="0.0.0~$pkgversion" ;; esac
for arch in "$@"; do
  name="envwatch-$version.linux-$arch"
  stage="$dist/$name"
  mkdir -p "$stage/examples" "$stage/dashboards/grafana" "$stage/dashboards/provisioning" "$stage/prometheus" "$stage/alertmanager" "$stage/systemd"
  CGO_ENABLED=0 GOOS=linux GOARCH=$arch go build -trimpath -ldflags "-s -w $ldflags" -o "$stage/envwatch" ./cmd/envwatch
  cp examples/luoyang.yaml deploy/envwatch.yaml "$stage/examples/"
  cp dashboards/*.json "$stage/dashboards/grafana/"
  cp -r dashboards/provisioning/. "$stage/dashboards/provisioning/"
  cp dashboards/alerts/envwatch.rules.yml dashboards/alerts/envwatch.rules.test.yml "$stage/prometheus/"
  cp dashboards/alertmanager/alertmanager.yml "$stage/alertmanager/alertmanager.example.yml"
  cp packaging/envwatch.service packaging/envwatch.default "$stage/systemd/"
  cp README.md LICENSE "$stage/"
  cp -r docs "$stage/docs"
  tar -C "$dist" -czf "$dist/$name.tar.gz" "$name"
  # nfpm expands variables in some fields only: the per-architecture file is written out.
  sed -e "s#\${BIN}#$stage/envwatch#" -e "s#\${ARCH}#$arch#" -e "s#\${VERSION}#$pkgversion#" packaging/nfpm.yaml > "$dist/nfpm-$arch.yaml"
  for fmt in deb rpm; do
    "$nfpm" package --config "$dist/nfpm-$arch.yaml" --packager "$fmt" --target "$dist/" >/dev/null
  done
  rm -rf "$stage" "$dist/nfpm-$arch.yaml"
done
(cd "$dist" && sha256sum -- *.tar.gz *.deb *.rpm > SHA256SUMS)
ls -1 "$dist"
