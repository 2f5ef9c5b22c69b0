package dev.pipeline.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * What {@code pipeline up} started, kept in {@code .pipeline/state.json} so later commands find it.
 *
 * @param bootstrap the cluster the services use
 * @param broker the local broker process, or null when the cluster is external ({@code
 *     --bootstrap})
 * @param brokerPort the local broker's port, 0 when external
 */
record State(
    String bootstrap,
    @Nullable ManagedProcess broker,
    int brokerPort,
    List<ManagedProcess> services) {
  private static final ObjectMapper JSON = new ObjectMapper();

  State {
    services = List.copyOf(services);
  }

  static Optional<State> load(Path file) {
    if (!Files.exists(file)) {
      return Optional.empty();
    }
    try {
      return Optional.of(JSON.readValue(file.toFile(), State.class));
    } catch (IOException e) {
      throw new CliException(
          file + " is unreadable (" + e.getMessage() + "); stop stray processes and delete it");
    }
  }

  void save(Path file) {
    try {
      Files.createDirectories(file.getParent());
      Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
      JSON.writerWithDefaultPrettyPrinter().writeValue(tmp.toFile(), this);
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }

  List<ManagedProcess> instancesOf(ServiceName service) {
    return services.stream()
        .filter(p -> p.service().equals(service.id()))
        .sorted(Comparator.comparingInt(ManagedProcess::index))
        .toList();
  }

  State withServices(List<ManagedProcess> newServices) {
    return new State(bootstrap, broker, brokerPort, newServices);
  }

  State plus(List<ManagedProcess> added) {
    List<ManagedProcess> all = new ArrayList<>(services);
    all.addAll(added);
    return withServices(all);
  }

  State minus(List<ManagedProcess> removed) {
    List<ManagedProcess> all = new ArrayList<>(services);
    all.removeAll(removed);
    return withServices(all);
  }
}
