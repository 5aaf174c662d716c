package dev.bsg.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.library.dependencies.SlicesRuleDefinition;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * How the gateway's packages may import one another: one way, in the order a request flows through them
 * (route, authenticate, authorise and limit, go upstream, meter), below the consoles that use them all.
 * {@code core} holds the shared vocabulary (principal, usage, secrets, counters) and imports nothing; {@code http}
 * knows only it; nothing but the {@link Gateway} assembly reaches the outermost packages.
 */
class ArchitectureTest {
    private static final String ROOT = "dev.bsg.gateway";

    /** The shared vocabulary: every package may use it, and it uses no other. */
    private static final String CORE = "core";

    /** Innermost first: a package may import only those before it. */
    static final List<String> LAYERS = List.of(
            CORE, "http", "settings", "store", "telemetry", "auth", "limits", "upstream", "metering", "admin", "web");

    static Set<String> edges() {
        JavaClasses classes = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages(ROOT);
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
    void everyPackageImportsOnlyThoseInnerToIt() {
        Set<String> edges = edges();
        assertThat(edges)
                .as("the edges, to show the rule is not vacuous")
                .contains("auth -> store", "limits -> store", "upstream -> http");
        for (String edge : edges) {
            String[] ends = edge.split(" -> ");
            assertThat(LAYERS)
                    .as("a package the layering doesn't name yet: give it its place")
                    .contains(ends[0], ends[1]);
            assertThat(LAYERS.indexOf(ends[1]))
                    .as(edge + " points outwards; move what it needs inwards, or pass it in")
                    .isLessThan(LAYERS.indexOf(ends[0]));
        }
    }

    @Test
    void noCycleAmongThePackagesByArchUnitsOwnReckoning() {
        JavaClasses classes = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages(ROOT);
        SlicesRuleDefinition.slices()
                .matching(ROOT + ".(*)..")
                .should()
                .beFreeOfCycles()
                .check(classes);
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
        assertThat(edges())
                .as("the console (web) works through admin's rules; nothing else reaches either")
                .noneMatch(
                        edge -> (edge.endsWith("-> admin") && !edge.equals("web -> admin")) || edge.endsWith("-> web"));
    }
}
