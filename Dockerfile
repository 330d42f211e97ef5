# The Alpaca controller image: the `alpaca` binary, run as `alpaca controller ...`
# (deploy/controller.yaml). Multi-stage: build with the Rust toolchain, run on a
# distroless base as a non-root user.
#
#   docker build -t alpaca:latest .
#   kind load docker-image alpaca:latest                     # kind
#   docker save alpaca:latest | sudo k3s ctr images import -  # k3s
FROM rust:1.95-bookworm AS build
WORKDIR /src
COPY . .
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/src/target \
    cargo build --release --locked -p alpaca-cli \
    && cp target/release/alpaca /alpaca

# glibc and CA certificates, no shell; uid/gid 65532 ("nonroot")
FROM gcr.io/distroless/cc-debian12:nonroot
COPY --from=build /alpaca /usr/local/bin/alpaca
USER 65532:65532
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/alpaca"]
CMD ["controller"]
