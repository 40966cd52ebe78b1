package dev.syncjobs.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * The library as people consume libraries: licence and SCM metadata, a BOM that pins every library
 * module and nothing else, and an Automatic-Module-Name per module that is its base package.
 */
class PackagingTest {
  private static final Path ROOT = Path.of("..");

  private static Document pom(String module) throws Exception {
    return DocumentBuilderFactory.newInstance()
        .newDocumentBuilder()
        .parse(ROOT.resolve(module).resolve("pom.xml").toFile());
  }

  private static List<String> texts(Document doc, String tag) {
    List<String> out = new ArrayList<>();
    NodeList nodes = doc.getElementsByTagName(tag);
    for (int i = 0; i < nodes.getLength(); i++) {
      out.add(nodes.item(i).getTextContent().trim());
    }
    return out;
  }

  private static String direct(Document doc, String tag) {
    NodeList nodes = doc.getDocumentElement().getChildNodes();
    for (int i = 0; i < nodes.getLength(); i++) {
      if (nodes.item(i) instanceof Element e && e.getTagName().equals(tag)) {
        return e.getTextContent().trim();
      }
    }
    return null;
  }

  @Test
  void the_parent_states_the_apache_licence_and_scm_and_the_licence_file_is_there()
      throws Exception {
    Document parent = pom(".");
    assertThat(texts(parent, "license")).singleElement().asString().contains("Apache-2.0");
    assertThat(texts(parent, "connection")).singleElement().asString().startsWith("scm:git:");
    assertThat(ROOT.resolve("LICENSE")).content().contains("Apache License").contains("2.0");
  }

  @Test
  void the_bom_pins_each_library_module_at_the_parents_version_and_nothing_else() throws Exception {
    Document parent = pom(".");
    Document bom = pom("syncjobs-bom");
    assertThat(direct(bom, "version")).isEqualTo(direct(parent, "version"));
    assertThat(direct(bom, "parent")).as("importing the BOM must pin no third party").isNull();
    List<String> libraries =
        texts(parent, "module").stream()
            .filter(m -> m.startsWith("sync-") && !m.equals("sync-app"))
            .toList();
    assertThat(texts(bom, "groupId")).containsOnly("dev.syncjobs");
    assertThat(texts(bom, "artifactId"))
        .contains("syncjobs-bom")
        .containsAll(libraries)
        .doesNotContain("sync-app");
  }

  @Test
  void each_module_names_its_base_package_as_its_automatic_module_name() throws Exception {
    for (String module : texts(pom("."), "module")) {
      if (module.equals("syncjobs-bom") || module.startsWith("examples/")) {
        continue; // the BOM has no code; an example is an application, not a module to require
      }
      String name = texts(pom(module), "module.name").get(0);
      Path packageDir =
          ROOT.resolve(module).resolve("src/main/java").resolve(name.replace('.', '/'));
      assertThat(packageDir).as(module + " declares " + name).isDirectory();
    }
    assertThat(texts(pom("."), "Automatic-Module-Name")).containsExactly("${module.name}");
  }
}
