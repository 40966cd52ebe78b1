package dev.syncjobs.core.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import dev.syncjobs.core.model.ValidationException;
import java.time.DateTimeException;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

class CronFieldsTest {
  private static final String[] VALID = {"*", "1", "1-5", "*/2", "3,4", "1-7/2"};

  @Test
  void can_fire_exactly_when_the_day_of_month_exists_in_the_month_in_some_year() {
    for (int month = 1; month <= 12; month++) {
      for (int day = 1; day <= 31; day++) {
        boolean exists = exists(2000, month, day); // 2000 is a leap year
        for (String weekday : new String[] {"*", "*/1", "*/7", "*/2,3"}) {
          String expression = "0 0 " + day + " " + month + " " + weekday;
          CronFields fields = CronFields.parse(expression);

          assertThat(fields.canFire()).as(expression).isEqualTo(exists);
          Optional<LocalDateTime> next =
              new CronSearch(fields).nextAfter(LocalDateTime.of(2026, 1, 1, 0, 0));
          if (exists) {
            assertThat(next).as(expression).isPresent();
            assertThat(next.get().getMonthValue()).isEqualTo(month);
            assertThat(next.get().getDayOfMonth()).isEqualTo(day);
          } else {
            assertThat(next).as(expression).isEmpty();
          }
        }
        assertThat(CronFields.parse("0 0 " + day + " " + month + " 1").canFire()).isTrue();
      }
    }
  }

  @Test
  void odd_input_is_a_validation_error_and_nothing_else() {
    String alphabet = "0123456789*/-,LW#?jansunfri ";
    Random random = new Random(7);
    int accepted = 0;
    for (int i = 0; i < 5_000; i++) {
      StringBuilder expression = new StringBuilder();
      for (int f = 0; f < 5; f++) {
        if (random.nextInt(10) < 7) {
          expression.append(VALID[random.nextInt(VALID.length)]);
        } else {
          int length = 1 + random.nextInt(5);
          for (int c = 0; c < length; c++) {
            char ch = alphabet.charAt(random.nextInt(alphabet.length()));
            expression.append(ch == ' ' ? '1' : ch);
          }
        }
        expression.append(' ');
      }
      try {
        CronFields.parse(expression.toString()).canFire();
        accepted++;
      } catch (ValidationException e) {
        assertThat(e.errors().get(0).field()).isEqualTo("cron_expression");
      }
    }
    assertThat(accepted).isPositive();
  }

  private static boolean exists(int year, int month, int day) {
    try {
      LocalDate.of(year, month, day);
      return true;
    } catch (DateTimeException e) {
      return false;
    }
  }
}
