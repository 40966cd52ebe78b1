package dev.syncjobs.app;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * Inside the app: config knows nothing else, web knows no wiring or CLI, only wiring knows JDBC.
 */
class AppLayeringTest {
  private static final JavaClasses APP =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("dev.syncjobs.app");

  @Test
  void config_depends_on_no_other_app_package() {
    noClasses()
        .that()
        .resideInAPackage("dev.syncjobs.app.config..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "dev.syncjobs.app.web..", "dev.syncjobs.app.wiring..", "dev.syncjobs.app.cli..")
        .check(APP);
  }

  @Test
  void web_depends_on_neither_wiring_nor_cli_nor_an_adapter() {
    noClasses()
        .that()
        .resideInAPackage("dev.syncjobs.app.web..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "dev.syncjobs.app.wiring..",
            "dev.syncjobs.app.cli..",
            "dev.syncjobs.persistence..",
            "dev.syncjobs.http..",
            "dev.syncjobs.rsync..")
        .check(APP);
  }

  @Test
  void notify_knows_no_other_app_package_nor_an_adapter() {
    noClasses()
        .that()
        .resideInAPackage("dev.syncjobs.app.notify..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "dev.syncjobs.app.web..",
            "dev.syncjobs.app.wiring..",
            "dev.syncjobs.app.cli..",
            "dev.syncjobs.persistence..",
            "dev.syncjobs.http..",
            "dev.syncjobs.rsync..")
        .check(APP);
  }

  @Test
  void no_dependency_injection_framework_outside_wiring() {
    noClasses()
        .that()
        .resideOutsideOfPackage("dev.syncjobs.app.wiring..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("dagger..")
        .check(APP);
  }

  @Test
  void app_packages_are_free_of_cycles() {
    slices().matching("dev.syncjobs.app.(*)..").should().beFreeOfCycles().check(APP);
  }
}
