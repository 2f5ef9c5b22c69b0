# One image recipe for every service: docker compose builds it once per service with SERVICE set.
# Stage 1 builds the jars with the project's own Maven wrapper on a JDK 21.
FROM eclipse-temurin:21-jdk AS build
WORKDIR /src
COPY . .
RUN ./mvnw -q -B -DskipTests -Dspotless.check.skip=true package

# Stage 2: a JRE 21, the one service jar, a non-root user.
FROM eclipse-temurin:21-jre
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
