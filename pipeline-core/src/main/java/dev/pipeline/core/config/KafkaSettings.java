package dev.pipeline.core.config;

import static java.util.Objects.requireNonNull;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * How to reach Kafka: the bootstrap servers and any client property passed through unchanged (SASL,
 * SSL, tuning), so the services run against a managed cluster as they are.
 *
 * <p>Environment variables {@code PIPELINE_KAFKA_SECURITY_PROTOCOL=SASL_SSL} become the property
 * {@code security.protocol=SASL_SSL}: lower case, underscores to dots. A {@code --kafka KEY=VALUE}
 * flag wins over the environment.
 */
public record KafkaSettings(String bootstrapServers, Map<String, String> clientProperties) {
  static final String ENV_PREFIX = "PIPELINE_KAFKA_";

  public KafkaSettings {
    requireNonNull(bootstrapServers, "bootstrapServers == null");
    if (bootstrapServers.isBlank()) {
      throw new IllegalArgumentException(
          "bootstrap servers are empty: expected HOST:PORT[,HOST:PORT...]");
    }
    for (String server : bootstrapServers.split(",")) {
      if (!server.trim().matches("[^\\s:]+:\\d{1,5}")) {
        throw new IllegalArgumentException("bootstrap server is not HOST:PORT: " + server.trim());
      }
    }
    clientProperties = Map.copyOf(clientProperties);
  }

  /** Returns settings from the {@code PIPELINE_KAFKA_*} environment overlaid with {@code flags}. */
  public static KafkaSettings resolve(
      String bootstrapServers, Map<String, String> flags, Map<String, String> env) {
    Map<String, String> properties = new TreeMap<>();
    env.forEach(
        (name, value) -> {
          if (name.startsWith(ENV_PREFIX) && name.length() > ENV_PREFIX.length()) {
            properties.put(
                name.substring(ENV_PREFIX.length()).toLowerCase(Locale.ROOT).replace('_', '.'),
                value);
          }
        });
    properties.putAll(flags);
    // The port of the local broker is PIPELINE_KAFKA_PORT, read by local-kafka; it is no client
    // property.
    properties.remove("port");
    return new KafkaSettings(bootstrapServers, properties);
  }

  /**
   * Returns a client configuration: the pass-through properties, then {@code overrides}, with the
   * bootstrap servers.
   */
  public Map<String, Object> clientConfig(Map<String, ?> overrides) {
    Map<String, Object> config = new HashMap<>(clientProperties);
    config.putAll(overrides);
    config.put("bootstrap.servers", bootstrapServers);
    return config;
  }
}
