package dev.pipeline.core.message;

import java.util.List;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Steps a browser takes on every page of a crawl whose URL matches {@code on} (a regex), after the
 * page has loaded and before its links are read. Such pages are always rendered. What the steps
 * read goes into the page's result.
 */
public record CrawlSequence(String on, List<CrawlStep> steps) {
  public CrawlSequence {
    Fields.text(on, "on", Fields.MAX_NAME);
    try {
      Pattern.compile(on);
    } catch (PatternSyntaxException e) {
      throw new IllegalArgumentException(
          "on is not a valid regular expression: " + on + " (" + e.getDescription() + ")");
    }
    steps = Fields.list(steps, "steps", 50);
    if (steps.isEmpty()) {
      throw new IllegalArgumentException("a sequence needs at least one step");
    }
  }
}
