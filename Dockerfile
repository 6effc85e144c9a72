# driftguard as a container image (docs/install.md): a build stage with the compiler and -dev packages, then a
# slim runtime with the binary, its runtime libraries (scripts/install-deps.sh --runtime) and git (for
# --changed-since and --staged). Used by action.yml and the pre-commit hook `driftguard-docker`.
#   docker build -t driftguard --build-arg DRIFTGUARD_VERSION="$(git describe --tags --always --dirty)" .
#   docker run --rm -v "$PWD:/src" driftguard lint prisma/migrations
FROM debian:bookworm AS build
WORKDIR /src
COPY scripts/install-deps.sh scripts/
# Only the build tools and libraries: the tests (PostgreSQL, node, Catch2) are not run here.
RUN apt-get update -qq \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      build-essential cmake pkg-config git ca-certificates \
      libpg-query-dev libpqxx-dev nlohmann-json3-dev libcli11-dev libre2-dev libtomlplusplus-dev \
 && rm -rf /var/lib/apt/lists/*
COPY . .
RUN cmake -S . -B /build -DCMAKE_BUILD_TYPE=Release -DDRIFTGUARD_WERROR=ON -DDRIFTGUARD_TESTS=OFF \
 && cmake --build /build --target driftguard driftguard_shell_files -j"$(nproc)"
# .git is not in the build context (.dockerignore), so `driftguard --version` comes from this argument (else the
# project version of CMakeLists.txt). Declared after the compile, so that builds of one commit with different
# versions (the Action passes its ref, pre-commit's `language: docker` passes nothing) share that layer and differ
# only in this step: version.cpp and the link.
ARG DRIFTGUARD_VERSION=""
RUN cmake -B /build -DDRIFTGUARD_VERSION="$DRIFTGUARD_VERSION" \
 && cmake --build /build --target driftguard driftguard_shell_files -j"$(nproc)" \
 && cmake --install /build --prefix /out --strip

FROM debian:bookworm-slim
COPY scripts/install-deps.sh /tmp/install-deps.sh
RUN /tmp/install-deps.sh --runtime && rm -rf /var/lib/apt/lists/* /tmp/install-deps.sh \
 && git config --system --add safe.directory '*'
COPY --from=build /out/bin/driftguard /usr/local/bin/driftguard
WORKDIR /src
ENTRYPOINT ["driftguard"]
CMD ["--help"]
