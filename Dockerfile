# One image recipe for every service: docker compose builds it once per service with SERVICE set.
# Stage 1 builds the jars with the project's own Maven wrapper on a JDK 21.
FROM eclipse-temurin:21-jdk AS build
WORKDIR /src
COPY . .
RUN ./mvnw -q -B -DskipTests -Dspotless.check.skip=true package

# The broker: Apache's image with the pipeline's share-group assignor on its class path, so that
# every hasher takes jobs from every partition (docker-compose.yml sets KAFKA_GROUP_SHARE_ASSIGNORS;
# local-kafka's SharedPartitionsAssignor says why).
FROM apache/kafka:4.4.0 AS kafka
COPY --from=build /src/local-kafka/target/local-kafka-*-share-assignor.jar /opt/kafka/libs/

# The crawler renders pages in Debian's Chromium (the Ubuntu under the Temurin images has it only
# as a snap, which does not run in a container), so its image is Debian 13 with its OpenJDK 21.
# Playwright's driver is inside the jar; nothing is downloaded when the crawler runs.
FROM debian:trixie-slim AS crawler
RUN apt-get update \
 && apt-get install -y --no-install-recommends openjdk-21-jre-headless chromium-headless-shell fonts-liberation \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --home-dir /app pipeline \
 && mkdir -p /app \
 && chown pipeline /app
COPY --from=build /src/crawler-service/target/crawler-service.jar /app/service.jar
USER pipeline
WORKDIR /app
ENV PIPELINE_READY_FILE=/tmp/ready PIPELINE_CHROMIUM=/usr/bin/chromium-headless-shell
ENTRYPOINT ["java", "-XX:+UseSerialGC", "-XX:MaxRAMPercentage=50", "-jar", "/app/service.jar"]

# Every other service: a JRE 21, the one service jar, a non-root user. Last, so it is the default.
FROM eclipse-temurin:21-jre AS service
ARG SERVICE
RUN test -n "$SERVICE" || (echo "build with --build-arg SERVICE=<module>" >&2; exit 1) \
 && useradd --system --uid 10001 --home-dir /app pipeline \
 && mkdir -p /app /data \
 && chown pipeline /app
COPY --from=build /src/${SERVICE}/target/${SERVICE}.jar /app/service.jar
USER pipeline
WORKDIR /app
# The services write this file once they reach Kafka and run; the healthchecks look for it.
ENV PIPELINE_READY_FILE=/tmp/ready
ENTRYPOINT ["java", "-XX:+UseSerialGC", "-XX:MaxRAMPercentage=75", "-jar", "/app/service.jar"]
