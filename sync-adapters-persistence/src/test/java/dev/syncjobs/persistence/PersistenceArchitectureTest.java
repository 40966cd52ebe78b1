package dev.syncjobs.persistence;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import dev.syncjobs.core.testing.EnvironmentReads;
import org.junit.jupiter.api.Test;

/** The adapter's place in the hexagon: it sees the core's model and ports, never its services. */
class PersistenceArchitectureTest {
  private static final JavaClasses PERSISTENCE =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("dev.syncjobs.persistence");

  @Test
  void persistence_uses_only_the_core_ports_and_its_database_libraries() {
    classes()
        .that()
        .resideInAPackage("dev.syncjobs.persistence..")
        .should()
        .onlyDependOnClassesThat()
        .resideInAnyPackage(
            "dev.syncjobs.persistence..",
            "dev.syncjobs.core.model..",
            "dev.syncjobs.core.port..",
            "java..",
            "javax.sql..",
            "javax.crypto..",
            "org.postgresql..",
            "org.sqlite..",
            "com.zaxxer.hikari..",
            "org.flywaydb.core..",
            "org.slf4j..")
        .check(PERSISTENCE);
  }

  @Test
  void persistence_packages_are_free_of_cycles() {
    // one package while the adapter is small: the rule holds once it splits by concern
    slices()
        .matching("dev.syncjobs.persistence.(*)..")
        .should()
        .beFreeOfCycles()
        .allowEmptyShould(true)
        .check(PERSISTENCE);
  }

  @Test
  void reads_no_environment_variable_or_system_property() {
    EnvironmentReads.forbidden().check(PERSISTENCE);
  }
}
