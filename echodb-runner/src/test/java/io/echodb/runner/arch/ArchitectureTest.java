package io.echodb.runner.arch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.lang.ArchRule;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Runs every layering rule on EchoDB's production classes, and proves each rule is able to fail by running it on a
 * fixture codebase that breaks it ({@code io.echodb.fixture.violating}) and on one that obeys it
 * ({@code io.echodb.fixture.clean}).
 */
class ArchitectureTest {

    private static JavaClasses production;
    private static JavaClasses violating;
    private static JavaClasses clean;

    @BeforeAll
    static void importClasses() {
        // Module classes arrive as target/classes directories or as jars, depending on the Maven phase; test classes
        // (this module's test-classes and the adapters' test-jars) are never production code.
        production = new ClassFileImporter()
                .withImportOption(location -> !location.contains("/test-classes/") && !location.contains("-tests.jar"))
                .importPackages("io.echodb");
        violating = new ClassFileImporter().importPackages("io.echodb.fixture.violating");
        clean = new ClassFileImporter().importPackages("io.echodb.fixture.clean");
    }

    /** A rule, and the fixture class (below io.echodb.fixture.violating) its failure must name. */
    private record NamedRule(String name, java.util.function.Function<String, ArchRule> rule, String offender) {
        NamedRule {
            java.util.Objects.requireNonNull(offender, "offender of " + name);
        }
    }

    private static List<NamedRule> rules() {
        List<NamedRule> rules = new ArrayList<>(List.of(
                new NamedRule("core depends only on the JDK and slf4j", ArchitectureRules::coreDependsOnlyOnJdkAndSlf4j,
                        "core.CoreUsingJavalin"),
                new NamedRule("core does not depend on adapters or runner", ArchitectureRules::coreDoesNotDependOnOuterLayers,
                        "core.CoreUsingJavalin"),
                new NamedRule("adapters do not depend on each other", ArchitectureRules::adaptersDoNotDependOnEachOther,
                        "adapters.clickhouse.ClickHouseUsingPgjdbc"),
                new NamedRule("adapters do not depend on the runner", ArchitectureRules::adaptersDoNotDependOnRunner,
                        "adapters.redis.RedisUsingRunner"),
                new NamedRule("no cycles between packages", ArchitectureRules::noCyclesBetweenPackages,
                        "core.ports.CyclicPort"),
                new NamedRule("driving ports do not depend on driven ports",
                        ArchitectureRules::drivingPortsDoNotDependOnDrivenPorts, "core.port.in.CommandsThatReachOut"),
                new NamedRule("only MirrorStates changes a mirror's life cycle",
                        ArchitectureRules::onlyMirrorStatesChangesALifeCycle, "core.replication.SneakyStateWriter")));
        java.util.Map<String, String> offenders = java.util.Map.of("Javalin", "core.CoreUsingJavalin",
                "pgjdbc", "adapters.clickhouse.ClickHouseUsingPgjdbc", "clickhouse-jdbc", "adapters.redis.RedisUsingRunner",
                "lettuce", "adapters.postgres.PostgresThing");
        for (ArchitectureRules.Confinement c : ArchitectureRules.CONFINEMENTS) {
            rules.add(new NamedRule(c.library() + " only in " + c.ownerModulePackage(), root -> ArchitectureRules.confined(root, c),
                    offenders.get(c.library())));
        }
        return rules;
    }

    @TestFactory
    Stream<DynamicTest> productionCodeObeysEveryRule() {
        assertThat(production.stream().map(jc -> jc.getPackageName()).distinct())
                .as("the production import must see the core and the runner")
                .anyMatch(p -> p.startsWith("io.echodb.core"))
                .anyMatch(p -> p.startsWith("io.echodb.runner"));
        return rules().stream().map(r -> DynamicTest.dynamicTest(r.name(), () -> r.rule().apply("io.echodb").check(production)));
    }

    @TestFactory
    Stream<DynamicTest> everyRuleCatchesItsViolation() {
        return rules().stream().map(r -> DynamicTest.dynamicTest(r.name(), () ->
                assertThatThrownBy(() -> r.rule().apply("io.echodb.fixture.violating").check(violating))
                        .as("rule '%s' must fail on the violating fixture", r.name())
                        .isInstanceOf(AssertionError.class)
                        .hasMessageContaining("io.echodb.fixture.violating." + r.offender())));
    }

    @TestFactory
    Stream<DynamicTest> everyRuleAcceptsTheCleanFixture() {
        return rules().stream().map(r -> DynamicTest.dynamicTest(r.name(), () ->
                r.rule().apply("io.echodb.fixture.clean").check(clean)));
    }
}
