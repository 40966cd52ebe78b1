package dev.syncjobs.core.arch;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The hexagon's rules, checked as plain JUnit tests: {@code check} throws ArchUnit's report on a
 * violation, failing the build.
 */
class CoreArchitectureTest {
  private static final JavaClasses CORE =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("dev.syncjobs.core");

  @Test
  void core_depends_only_on_the_jdk_and_its_allowed_libraries() {
    classes()
        .that()
        .resideInAPackage("dev.syncjobs.core..")
        .should()
        .onlyDependOnClassesThat()
        .resideInAnyPackage(
            "java..",
            "javax.annotation..",
            "dev.syncjobs.core..",
            "com.google.common..",
            "org.slf4j..",
            "com.cronutils..")
        .check(CORE);
  }

  @Test
  void model_depends_on_nothing_else_in_core() {
    noClasses()
        .that()
        .resideInAPackage("dev.syncjobs.core.model..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "dev.syncjobs.core.port..",
            "dev.syncjobs.core.service..",
            "dev.syncjobs.core.version..",
            "dev.syncjobs.core.memory..",
            "dev.syncjobs.core.local..")
        .check(CORE);
  }

  @Test
  void ports_depend_only_on_the_model() {
    noClasses()
        .that()
        .resideInAPackage("dev.syncjobs.core.port..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "dev.syncjobs.core.service..",
            "dev.syncjobs.core.version..",
            "dev.syncjobs.core.memory..",
            "dev.syncjobs.core.local..")
        .check(CORE);
  }

  @Test
  void adapters_inside_core_do_not_use_the_services() {
    noClasses()
        .that()
        .resideInAnyPackage("dev.syncjobs.core.memory..", "dev.syncjobs.core.local..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("dev.syncjobs.core.service..")
        .check(CORE);
  }

  @Test
  void core_packages_are_free_of_cycles() {
    slices().matching("dev.syncjobs.core.(*)..").should().beFreeOfCycles().check(CORE);
  }

  @Test
  void core_knows_no_frameworks() {
    noClasses()
        .that()
        .resideInAPackage("dev.syncjobs.core..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "java.sql..",
            "javax.sql..",
            "io.javalin..",
            "dagger..",
            "com.fasterxml.jackson..",
            "jakarta.inject..",
            "java.net.http..")
        .check(CORE);
  }
}
