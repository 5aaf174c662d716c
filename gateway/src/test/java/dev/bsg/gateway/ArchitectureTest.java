package dev.bsg.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * How the gateway's packages may import one another. {@code core} holds the shared vocabulary and imports
 * nothing; {@code http} knows only it. The other edges still form cycles (issue 11 breaks them); until then
 * no new edge may appear, and nothing but the {@link Gateway} assembly may reach the outermost packages.
 * Removing an edge from the code means removing it here too, so the list only shrinks.
 */
class ArchitectureTest {
    private static final String ROOT = "dev.bsg.gateway";

    /** The shared vocabulary (principal, usage): every package may use it, and it uses no other. */
    private static final String CORE = "core";

    /** Every other package-to-package import the gateway has today. */
    private static final Set<String> ALLOWED = Set.of(
            "admin -> auth", "admin -> http", "admin -> limits", "admin -> metering", "admin -> store",
            "auth -> http", "auth -> limits", "auth -> settings", "auth -> store",
            "limits -> http", "limits -> settings", "limits -> store", "limits -> telemetry",
            "metering -> http", "metering -> store", "metering -> telemetry",
            "settings -> auth", "settings -> http",
            "store -> auth", "store -> limits", "store -> settings",
            "telemetry -> http", "telemetry -> store", "telemetry -> upstream",
            "upstream -> http", "upstream -> settings", "upstream -> telemetry",
            "web -> auth", "web -> http", "web -> limits", "web -> settings", "web -> store");

    /** The edges between packages, those into the shared vocabulary left out. */
    static Set<String> edgesBesideCore() {
        Set<String> edges = new TreeSet<>(edges());
        edges.removeIf(edge -> edge.endsWith("-> " + CORE));
        return edges;
    }

    static Set<String> edges() {
        JavaClasses classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS).importPackages(ROOT);
        Set<String> edges = new TreeSet<>();
        for (JavaClass from : classes) {
            String source = area(from);
            if (source == null) continue;
            for (Dependency dependency : from.getDirectDependenciesFromSelf()) {
                String target = area(dependency.getTargetClass());
                if (target != null && !target.equals(source)) edges.add(source + " -> " + target);
            }
        }
        return edges;
    }

    /** The first package below the root ({@code http}, {@code store}...), or null for the root and anything outside. */
    private static String area(JavaClass type) {
        String name = type.getPackageName();
        if (!name.startsWith(ROOT + ".")) return null;
        String rest = name.substring(ROOT.length() + 1);
        int dot = rest.indexOf('.');
        return dot < 0 ? rest : rest.substring(0, dot);
    }

    @Test
    void noPackageImportsAnotherItDidNotAlready() {
        assertThat(edgesBesideCore()).as("package imports; a new one needs a reason (and issue 11 wants fewer)").isSubsetOf(ALLOWED);
    }

    @Test
    void theListOfEdgesOnlyShrinks() {
        assertThat(ALLOWED).as("edges the code no longer has: take them off the list").isSubsetOf(edgesBesideCore());
    }

    @Test
    void theSharedVocabularyDependsOnNoOtherPackage() {
        assertThat(edges()).noneMatch(edge -> edge.startsWith(CORE + " -> "));
    }

    @Test
    void httpKnowsNothingOfAuthenticationOrMetering() {
        assertThat(edges()).noneMatch(edge -> edge.startsWith("http -> ") && !edge.equals("http -> " + CORE));
    }

    @Test
    void onlyTheAssemblyReachesTheOutermostPackages() {
        assertThat(edges()).noneMatch(edge -> edge.endsWith("-> admin") || edge.endsWith("-> web"));
    }
}
