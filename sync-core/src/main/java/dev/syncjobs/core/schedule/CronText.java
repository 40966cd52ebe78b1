package dev.syncjobs.core.schedule;

import com.cronutils.model.Cron;
import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.field.CronFieldName;
import com.cronutils.model.field.expression.Always;
import com.cronutils.model.field.expression.And;
import com.cronutils.model.field.expression.Between;
import com.cronutils.model.field.expression.Every;
import com.cronutils.model.field.expression.FieldExpression;
import com.cronutils.model.field.expression.On;
import com.cronutils.model.field.value.FieldValue;
import com.cronutils.model.field.value.IntegerFieldValue;
import com.cronutils.model.field.value.SpecialChar;
import com.cronutils.parser.CronParser;
import dev.syncjobs.core.model.ValidationException;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a cron expression into {@link CronFields}. cron-utils parses and checks the syntax (its
 * Unix definition); the sets of values are then read off its model with Vixie's meaning of each
 * form.
 */
final class CronText {
  private static final String FIELDS = "(minute hour day-of-month month day-of-week)";
  private static final String[] NAMES = {"minute", "hour", "day-of-month", "month", "day-of-week"};
  private static final int[] MIN = {0, 0, 1, 1, 0};

  /** Vixie's upper bounds; day-of-week 7 is Sunday again. */
  private static final int[] MAX = {59, 23, 31, 12, 7};

  private static final Pattern DAY_NAME =
      Pattern.compile("(?i)\\b(sun|mon|tue|wed|thu|fri|sat)\\b");
  private static final Map<String, String> DAY_NUMBERS =
      Map.of("sun", "0", "mon", "1", "tue", "2", "wed", "3", "thu", "4", "fri", "5", "sat", "6");

  private static final Pattern SINGLE_VALUE = Pattern.compile("[0-9A-Za-z]*");
  private static final Pattern NUMBER = Pattern.compile("[0-9]+");

  private static final CronParser PARSER =
      new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.UNIX));

  private CronText() {}

  static CronFields parse(String expression) {
    String[] fields = expression.trim().split("\\s+");
    if (fields.length != 5) {
      throw new ValidationException(
          "cron_expression",
          "'" + expression + "' must have 5 fields " + FIELDS + ", found " + fields.length);
    }
    for (int i = 0; i < fields.length; i++) {
      requireRangeOrStarBeforeStep(expression, i, fields[i]);
    }
    // Vixie day names: sun = 0 (cron-utils reads sun as 7, which breaks ranges like sun-tue).
    String dayOfWeek = replaceDayNames(fields[4]);
    try {
      Cron cron =
          parseSyntax(String.join(" ", fields[0], fields[1], fields[2], fields[3], dayOfWeek));
      long minutes = values(cron, CronFieldName.MINUTE, 0);
      long hours = values(cron, CronFieldName.HOUR, 1);
      long days = values(cron, CronFieldName.DAY_OF_MONTH, 2);
      long months = values(cron, CronFieldName.MONTH, 3);
      long weekdays = values(cron, CronFieldName.DAY_OF_WEEK, 4);
      weekdays = (weekdays | (weekdays >>> 7)) & 0x7F;
      return new CronFields(
          minutes,
          (int) hours,
          (int) days,
          (int) months,
          (int) weekdays,
          fields[2].startsWith("*"),
          fields[4].startsWith("*"),
          fields[1].startsWith("*"));
    } catch (RuntimeException e) {
      // cron-utils reports bad syntax as IllegalArgumentException; any other failure on odd input
      // is still the input's fault, never a server error
      throw new ValidationException(
          "cron_expression",
          "'" + expression + "' is not a valid cron expression " + FIELDS + ": " + e.getMessage());
    }
  }

  private static synchronized Cron parseSyntax(String text) {
    return PARSER.parse(text).validate();
  }

  /**
   * A step applies to a range or {@code *}. Vixie cron reads {@code 5/15} as 5 alone, other crons
   * refuse it, and a reader may expect every 15 from 5: it is refused with the form that says so.
   */
  private static void requireRangeOrStarBeforeStep(String expression, int field, String text) {
    for (String element : text.split(",", -1)) {
      int slash = element.indexOf('/');
      if (slash < 0) {
        continue;
      }
      String base = element.substring(0, slash);
      String step = element.substring(slash + 1);
      if (!SINGLE_VALUE.matcher(base).matches() || !NUMBER.matcher(step).matches()) {
        continue; // a range or '*' (or what the syntax check refuses anyway)
      }
      String range = base.isEmpty() ? "*" : base + "-" + MAX[field];
      throw new ValidationException(
          "cron_expression",
          "'"
              + expression
              + "' is not a valid cron expression: the "
              + NAMES[field]
              + " field's '"
              + element
              + "' steps from "
              + (base.isEmpty() ? "nothing" : "a single value")
              + "; a step needs a range or '*': write '"
              + range
              + "/"
              + step
              + "'");
    }
  }

  private static long values(Cron cron, CronFieldName name, int field) {
    return values(cron.retrieve(name).getExpression(), MIN[field], MAX[field]);
  }

  private static long values(FieldExpression e, int min, int max) {
    if (e instanceof Always) {
      return range(min, max, 1, min, max);
    } else if (e instanceof And and) {
      long all = 0;
      for (FieldExpression part : and.getExpressions()) {
        all |= values(part, min, max);
      }
      return all;
    } else if (e instanceof Between between) {
      return range(value(between.getFrom()), value(between.getTo()), 1, min, max);
    } else if (e instanceof Every every) {
      int step = every.getPeriod().getValue();
      if (every.getExpression() instanceof Always) {
        return range(min, max, step, min, max);
      } else if (every.getExpression() instanceof Between between) {
        return range(value(between.getFrom()), value(between.getTo()), step, min, max);
      }
    } else if (e instanceof On on && on.getSpecialChar().getValue() == SpecialChar.NONE) {
      int v = on.getTime().getValue();
      return range(v, v, 1, min, max);
    }
    throw new IllegalArgumentException("unsupported form '" + e.asString() + "'");
  }

  private static int value(FieldValue<?> value) {
    if (value instanceof IntegerFieldValue v) {
      return v.getValue();
    }
    throw new IllegalArgumentException("unsupported value '" + value + "'");
  }

  private static long range(int from, int to, int step, int min, int max) {
    if (from < min || to > max || from > to || step < 1) {
      throw new IllegalArgumentException(
          "'" + from + "-" + to + "/" + step + "' is outside " + min + "-" + max);
    }
    long bits = 0;
    for (int v = from; v <= to; v += step) {
      bits |= 1L << v;
    }
    return bits;
  }

  private static String replaceDayNames(String field) {
    Matcher m = DAY_NAME.matcher(field);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      m.appendReplacement(out, DAY_NUMBERS.get(m.group(1).toLowerCase(Locale.ROOT)));
    }
    m.appendTail(out);
    return out.toString();
  }
}
