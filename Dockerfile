# ccap-intake on Debian 12: the same two-command set-up as a developer machine.
#   docker build -t ccap-intake . && docker run -p 8000:8000 ccap-intake
FROM debian:12-slim
ENV DEBIAN_FRONTEND=noninteractive LANG=C.UTF-8
RUN apt-get update && apt-get install -y --no-install-recommends make python3 python3-venv \
    ca-certificates && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY scripts/ scripts/
RUN scripts/setup-system.sh && rm -rf /var/lib/apt/lists/*
COPY . .
RUN make setup
EXPOSE 8000
CMD ["make", "demo"]
