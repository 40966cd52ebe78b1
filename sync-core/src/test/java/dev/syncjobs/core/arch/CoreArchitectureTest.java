package dev.syncjobs.core.arch;

import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideOutsideOfPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import dev.syncjobs.core.testing.EnvironmentReads;
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
    classes()
        .that()
        .resideInAPackage("dev.syncjobs.core.model..")
        .should()
        .onlyDependOnClassesThat(
            resideOutsideOfPackage("dev.syncjobs.core..")
                .or(resideInAPackage("dev.syncjobs.core.model..")))
        .check(CORE);
  }

  @Test
  void ports_speak_only_of_the_model_and_the_throttle() {
    classes()
        .that()
        .resideInAPackage("dev.syncjobs.core.port..")
        .should()
        .onlyDependOnClassesThat(
            resideOutsideOfPackage("dev.syncjobs.core..")
                .or(resideInAnyPackage("dev.syncjobs.core.port..", "dev.syncjobs.core.model.."))
                .or(resideInAPackage("dev.syncjobs.core.throttle..")))
        .check(CORE);
  }

  @Test
  void adapters_inside_core_do_not_use_the_services() {
    noClasses()
        .that()
        .resideInAnyPackage("dev.syncjobs.core.memory..", "dev.syncjobs.core.local..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "dev.syncjobs.core",
            "dev.syncjobs.core.run..",
            "dev.syncjobs.core.schedule..",
            "dev.syncjobs.core.job..",
            "dev.syncjobs.core.version..")
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

  @Test
  void reads_no_environment_variable_or_system_property() {
    EnvironmentReads.forbidden().check(CORE);
  }
}
