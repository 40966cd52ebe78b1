package dev.syncjobs.http;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import dev.syncjobs.core.testing.EnvironmentReads;
import org.junit.jupiter.api.Test;

/** The adapter's place in the hexagon and its public surface. */
class HttpArchitectureTest {
  private static final JavaClasses HTTP =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("dev.syncjobs.http");

  @Test
  void http_uses_only_the_core_ports_the_jdk_and_jsoup() {
    classes()
        .that()
        .resideInAPackage("dev.syncjobs.http..")
        .should()
        .onlyDependOnClassesThat()
        .resideInAnyPackage(
            "dev.syncjobs.http..",
            "dev.syncjobs.core.model..",
            "dev.syncjobs.core.port..",
            "dev.syncjobs.core.version..",
            "dev.syncjobs.core.staging..",
            "dev.syncjobs.core.throttle..",
            "dev.syncjobs.core.progress..",
            "java..",
            "javax.net.ssl..",
            "org.jsoup..")
        .check(HTTP);
  }

  @Test
  void only_the_transfer_and_its_settings_are_public() {
    classes()
        .that()
        .resideInAPackage("dev.syncjobs.http..")
        .and()
        .arePublic()
        .should()
        .haveSimpleNameStartingWith("HttpTransfer")
        .orShould()
        .haveSimpleName("HttpSettings")
        .check(HTTP);
  }

  @Test
  void http_packages_are_free_of_cycles() {
    // one package while the adapter is small: the rule holds once it splits by concern
    slices()
        .matching("dev.syncjobs.http.(*)..")
        .should()
        .beFreeOfCycles()
        .allowEmptyShould(true)
        .check(HTTP);
  }

  @Test
  void reads_no_environment_variable_or_system_property() {
    EnvironmentReads.forbidden().check(HTTP);
  }
}
