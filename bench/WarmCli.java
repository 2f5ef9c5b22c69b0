import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A probe, not a feature: runs one {@code pipeline} command many times in one JVM, so its code is
 * compiled and its classes loaded after the first runs, and prints each run's time. It tells what a
 * CLI that stays up between commands would give, against the fresh JVM each command starts now.
 *
 * <pre>
 *   java -cp pipeline-cli/target/pipeline-cli.jar bench/WarmCli.java RUNS hash DIR --wait --json
 * </pre>
 *
 * With {@code --json} the report's "seconds" (first job sent to last result) is printed too; the
 * pipeline must be up (PIPELINE_HOME, as for bin/pipeline).
 */
public class WarmCli {
  public static void main(String[] args) throws Exception {
    int runs = Integer.parseInt(args[0]);
    String[] command = Arrays.copyOfRange(args, 1, args.length);
    // The command line as bin/pipeline's main builds it, with its converters and error handlers.
    Method commandLine =
        Class.forName("dev.pipeline.cli.PipelineCli")
            .getDeclaredMethod("commandLine", String[].class);
    commandLine.setAccessible(true);
    Method execute = Class.forName("picocli.CommandLine").getMethod("execute", String[].class);
    PrintStream out = System.out;
    Pattern seconds = Pattern.compile("\"seconds\" : ([0-9.]+)");
    for (int run = 1; run <= runs; run++) {
      ByteArrayOutputStream report = new ByteArrayOutputStream();
      System.setOut(new PrintStream(report, true, StandardCharsets.UTF_8));
      long start = System.nanoTime();
      Object cli = commandLine.invoke(null, (Object) command);
      int exit = (int) execute.invoke(cli, (Object) command);
      double wall = (System.nanoTime() - start) / 1e9;
      System.setOut(out);
      Matcher jobs = seconds.matcher(report.toString(StandardCharsets.UTF_8));
      out.printf(
          Locale.ROOT,
          "run %d: exit %d, whole command %.3f s%s%n",
          run,
          exit,
          wall,
          jobs.find() ? ", jobs " + jobs.group(1) + " s" : "");
    }
    System.exit(0);
  }
}
