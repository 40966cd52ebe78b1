package dev.syncjobs.core.testing;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaMethodCall;
import com.tngtech.archunit.lang.ArchRule;

/**
 * The rule that library code reads no environment variable and no system property: an embedding
 * application passes configuration in (the server reads its environment in sync-app and hands the
 * values over), so a library never changes behaviour because of a variable its host happens to set.
 */
public final class EnvironmentReads {
  private EnvironmentReads() {}

  private static final DescribedPredicate<JavaMethodCall> READS_ENVIRONMENT =
      DescribedPredicate.describe(
          "System.getenv or System.getProperty",
          call ->
              call.getTargetOwner().isEquivalentTo(System.class)
                  && (call.getName().equals("getenv") || call.getName().equals("getProperty")));

  /** No class reads the environment. */
  public static ArchRule forbidden() {
    return noClasses().should().callMethodWhere(READS_ENVIRONMENT);
  }

  /**
   * No class but {@code className} reads the environment (for an executable's lookup on {@code
   * PATH}, which is the operating system's configuration, not the library's).
   */
  public static ArchRule forbiddenOutside(Class<?> className) {
    return noClasses()
        .that()
        .doNotBelongToAnyOf(className)
        .should()
        .callMethodWhere(READS_ENVIRONMENT);
  }
}
