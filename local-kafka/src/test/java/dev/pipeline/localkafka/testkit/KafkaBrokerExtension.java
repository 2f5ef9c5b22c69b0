package dev.pipeline.localkafka.testkit;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.testcontainers.DockerClientFactory;

/**
 * Gives each test JVM one real broker, started on first use and stopped when the JVM's tests end:
 * Testcontainers' Kafka where a Docker engine answers, otherwise {@code local-kafka} as a child
 * process. {@code -Dpipeline.test.broker=local} forces the local broker.
 *
 * <pre>{@code
 * @ExtendWith(KafkaBrokerExtension.class)
 * class WorkerIT {
 *   @Test void works(TestBroker broker) { ... }
 * }
 * }</pre>
 */
public final class KafkaBrokerExtension implements ParameterResolver {
  private static final ExtensionContext.Namespace NAMESPACE =
      ExtensionContext.Namespace.create(KafkaBrokerExtension.class);

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == TestBroker.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    return context
        .getRoot()
        .getStore(NAMESPACE)
        .getOrComputeIfAbsent(
            "broker", key -> new ClosingBroker(startBroker()), ClosingBroker.class)
        .broker();
  }

  private static TestBroker startBroker() {
    String choice = System.getProperty("pipeline.test.broker", "auto");
    TestBroker broker =
        choice.equals("local") || !dockerAnswers() ? new ProcessBroker() : new ContainerBroker();
    broker.start();
    return broker;
  }

  private static boolean dockerAnswers() {
    try {
      return DockerClientFactory.instance().isDockerAvailable();
    } catch (RuntimeException e) {
      return false;
    }
  }

  /** Stops the broker when the root context closes, that is when this JVM's tests are done. */
  private record ClosingBroker(TestBroker broker) implements AutoCloseable {
    @Override
    public void close() {
      broker.stop();
    }
  }
}
