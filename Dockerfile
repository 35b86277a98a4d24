# obsgen with the programs `obsgen build` runs: promtool and amtool built from the Go module proxy
# at the versions scripts/go-tools pins (its table is the one place they are named); obsgen draws the
# impact picture itself, so no Graphviz. Not built on the project's machines (no container engine there);
# tests/package/test_dockerfile.py checks it statically. Usage: docker/install in docs/install.md.
#
#   docker build -t obsgen .
#   docker run --rm --user "$(id -u):$(id -g)" -v "$PWD:/work" obsgen build specs/

# The Go the pinned modules need (their go.mod), as action.yml's go-version default.
FROM golang:1.26.8-bookworm AS tools
# Static binaries: they run on the slim runtime image whatever its libc.
ENV CGO_ENABLED=0 XDG_CACHE_HOME=/cache
COPY scripts/go-tools /src/scripts/go-tools
RUN /src/scripts/go-tools install promtool amtool \
 && mkdir -p /out \
 && for tool in promtool amtool; do cp -L "$(/src/scripts/go-tools path "$tool")" "/out/$tool"; done

# Python as the project's tests run it, on the Debian release of the builder stage.
FROM python:3.11.7-slim-bookworm
COPY --from=tools /out/promtool /out/amtool /usr/local/bin/
COPY pyproject.toml README.md /src/
COPY obsgen /src/obsgen
RUN pip install --no-cache-dir --disable-pip-version-check /src && rm -rf /src
WORKDIR /work
ENTRYPOINT ["obsgen"]
CMD ["--help"]
