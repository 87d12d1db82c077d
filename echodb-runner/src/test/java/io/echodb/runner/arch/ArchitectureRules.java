package io.echodb.runner.arch;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.lang.ArchRule;
import java.util.List;

/**
 * The layering rules, parameterised by the root package so the same rules run on EchoDB ({@code io.echodb}) and on
 * fixtures that break them on purpose (proving each rule can fail).
 */
final class ArchitectureRules {

    /** A third-party library and the one module allowed to use it. */
    record Confinement(String library, String libraryPackage, String ownerModulePackage) { }

    static final List<Confinement> CONFINEMENTS = List.of(
            new Confinement("Javalin", "io.javalin..", "runner"),
            new Confinement("pgjdbc", "org.postgresql..", "adapters.postgres"),
            new Confinement("clickhouse-jdbc", "com.clickhouse..", "adapters.clickhouse"),
            new Confinement("lettuce", "io.lettuce..", "adapters.redis"));

    private ArchitectureRules() {
    }

    static ArchRule coreDependsOnlyOnJdkAndSlf4j(String root) {
        return classes().that().resideInAPackage(root + ".core..")
                .should().onlyDependOnClassesThat().resideInAnyPackage("java..", "org.slf4j..", root + ".core..", "")
                .because("core is the pure domain: JDK and slf4j-api only");
    }

    static ArchRule adaptersDoNotDependOnEachOther(String root) {
        return slices().matching(root + ".adapters.(*)..").should().notDependOnEachOther()
                .because("each adapter talks to one outside system and knows only the core");
    }

    static ArchRule adaptersDoNotDependOnRunner(String root) {
        return noClasses().that().resideInAPackage(root + ".adapters..")
                .should().dependOnClassesThat().resideInAPackage(root + ".runner..")
                .because("dependencies point inwards: runner -> adapters -> core");
    }

    static ArchRule coreDoesNotDependOnOuterLayers(String root) {
        return noClasses().that().resideInAPackage(root + ".core..")
                .should().dependOnClassesThat().resideInAnyPackage(root + ".adapters..", root + ".runner..")
                .because("the core never knows its adapters");
    }

    /**
     * Every package is a slice: a package may not reach back into one that reaches it, so each can be read, tested and
     * changed from its dependencies upwards (issue 14).
     */
    static ArchRule noCyclesBetweenPackages(String root) {
        return slices().matching(root + ".(**)").should().beFreeOfCycles()
                .because("a package cycle means no package can be understood or changed on its own");
    }

    /**
     * Ports are split by direction: {@code core.port.in} is what drives the core (the mirror engine's commands, called
     * by the runner's API and the control plane), {@code core.port.out} what the core drives (sources, sinks, stores).
     * The driving side never needs the driven one.
     */
    static ArchRule drivingPortsDoNotDependOnDrivenPorts(String root) {
        return noClasses().that().resideInAPackage(root + ".core.port.in..")
                .should().dependOnClassesThat().resideInAPackage(root + ".core.port.out..")
                .because("a driving port is what the outside asks of the core; how the core reaches out is its own business");
    }

    /** The fields of a mirror's life cycle, which only the life cycle's owner may change. */
    static final List<String> LIFE_CYCLE_FIELDS = List.of("state", "lastError", "errorIsTransient", "snapshotPoint");

    /**
     * A mirror's life cycle has one owner: outside {@code MirrorRuntime}'s constructor, only {@code MirrorStates}
     * writes its state, its error or its copy's point, so every change is saved, logged and reported the same way.
     */
    static ArchRule onlyMirrorStatesChangesALifeCycle(String root) {
        String runtime = root + ".core.replication.MirrorRuntime";
        var rule = noClasses().that().resideInAPackage(root + "..")
                .and().doNotHaveFullyQualifiedName(runtime)
                .and().doNotHaveFullyQualifiedName(root + ".core.replication.MirrorStates")
                .should().setField(runtime, LIFE_CYCLE_FIELDS.get(0));
        for (String field : LIFE_CYCLE_FIELDS.subList(1, LIFE_CYCLE_FIELDS.size())) {
            rule = rule.orShould().setField(runtime, field);
        }
        return rule.because("a state changed anywhere else bypasses saving, logging and reporting it");
    }

    static ArchRule confined(String root, Confinement c) {
        return noClasses().that().resideInAPackage(root + "..")
                .and().resideOutsideOfPackage(root + "." + c.ownerModulePackage() + "..")
                .should().dependOnClassesThat().resideInAPackage(c.libraryPackage())
                .because(c.library() + " belongs to " + c.ownerModulePackage() + " only");
    }
}
