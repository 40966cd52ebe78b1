package dev.syncjobs.rsync;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import dev.syncjobs.core.testing.EnvironmentReads;
import org.junit.jupiter.api.Test;

class RsyncArchitectureTest {
  private final JavaClasses classes =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("dev.syncjobs.rsync");

  @Test
  void the_adapter_depends_only_on_the_core_model_ports_and_version_files_and_the_jdk() {
    classes()
        .should()
        .onlyDependOnClassesThat()
        .resideInAnyPackage(
            "dev.syncjobs.rsync..",
            "dev.syncjobs.core.model..",
            "dev.syncjobs.core.port..",
            "dev.syncjobs.core.version..",
            "dev.syncjobs.core.staging..",
            "dev.syncjobs.core.throttle..",
            "java..")
        .check(classes);
  }

  @Test
  void only_the_transfer_itself_is_public() {
    classes()
        .that()
        .arePublic()
        .and()
        .areTopLevelClasses()
        .should()
        .haveSimpleName("RsyncTransfer")
        .check(classes);
    classes()
        .that()
        .haveSimpleName("RsyncTransfer")
        .should()
        .beAssignableTo(dev.syncjobs.core.port.Transfer.class)
        .andShould()
        .haveModifier(com.tngtech.archunit.core.domain.JavaModifier.FINAL)
        .check(classes);
  }

  @Test
  void rsync_packages_are_free_of_cycles() {
    // one package while the adapter is small: the rule holds once it splits by concern
    slices()
        .matching("dev.syncjobs.rsync.(*)..")
        .should()
        .beFreeOfCycles()
        .allowEmptyShould(true)
        .check(classes);
  }

  @Test
  void reads_no_environment_variable_or_system_property() {
    EnvironmentReads.forbiddenOutside(RsyncProcesses.class).check(classes);
  }
}
