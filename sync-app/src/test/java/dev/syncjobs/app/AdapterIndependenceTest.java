package dev.syncjobs.app;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** Adapters depend on sync-core only, never on each other or on the app. */
class AdapterIndependenceTest {
  private static final JavaClasses ALL =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("dev.syncjobs");

  private static void adapterIsAlone(String adapter, String... others) {
    noClasses()
        .that()
        .resideInAPackage("dev.syncjobs." + adapter + "..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(others)
        .allowEmptyShould(true)
        .check(ALL);
  }

  @Test
  void rsync_adapter_depends_on_no_other_adapter() {
    adapterIsAlone(
        "rsync", "dev.syncjobs.http..", "dev.syncjobs.persistence..", "dev.syncjobs.app..");
  }

  @Test
  void http_adapter_depends_on_no_other_adapter() {
    adapterIsAlone(
        "http", "dev.syncjobs.rsync..", "dev.syncjobs.persistence..", "dev.syncjobs.app..");
  }

  @Test
  void persistence_adapter_depends_on_no_other_adapter() {
    adapterIsAlone(
        "persistence", "dev.syncjobs.rsync..", "dev.syncjobs.http..", "dev.syncjobs.app..");
  }

  @Test
  void core_depends_on_no_adapter_and_not_on_the_app() {
    noClasses()
        .that()
        .resideInAPackage("dev.syncjobs.core..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "dev.syncjobs.rsync..",
            "dev.syncjobs.http..",
            "dev.syncjobs.persistence..",
            "dev.syncjobs.app..")
        .check(ALL);
  }
}
