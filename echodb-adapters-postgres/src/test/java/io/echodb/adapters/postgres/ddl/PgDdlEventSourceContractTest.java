package io.echodb.adapters.postgres.ddl;

import io.echodb.adapters.postgres.jdbc.PgQuoting;
import io.echodb.core.model.TableRef;
import io.echodb.core.port.out.DdlEventSource;
import io.echodb.core.port.contract.DdlEventSourceContract;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;

/** The DdlEventSource contract against real event triggers and the real outbox. */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class PgDdlEventSourceContractTest extends DdlEventSourceContract {

    private static PgTestDb db;

    /** One cursor per test: reopen() must see this test's cursor, other tests must not. */
    private final String consumer = "contract-" + UUID.randomUUID();
    private final List<PgDdlEventSource> opened = new ArrayList<>();

    @BeforeAll
    static void install() {
        db = PgTestDb.create("ddl_contract");
        new DdlCaptureInstaller(db.connections(), DdlCaptureSettings.defaults()).install();
    }

    @AfterAll
    static void dropDatabase() {
        db.close();
    }

    @AfterEach
    void closeSources() {
        opened.forEach(PgDdlEventSource::close);
    }

    @Override
    protected DdlEventSource newSource() {
        PgDdlEventSource s = new PgDdlEventSource(db.connections(), DdlSourceSettings.defaults().withConsumer(consumer));
        opened.add(s);
        return s;
    }

    @Override
    protected DdlEventSource reopen() {
        return newSource();
    }

    @Override
    protected void emitCreate(TableRef table) {
        db.exec("CREATE TABLE " + q(table) + " (id int PRIMARY KEY, name text)");
    }

    @Override
    protected void emitDrop(TableRef table) {
        db.exec("DROP TABLE " + q(table));
    }

    @Override
    protected void emitAlter(TableRef table) {
        db.exec("ALTER TABLE " + q(table) + " ADD COLUMN extra int");
    }

    @Override
    protected void emitRename(TableRef from, TableRef to) {
        db.exec("ALTER TABLE " + q(from) + " RENAME TO " + PgQuoting.ident(to.name()));
    }

    private static String q(TableRef t) {
        return PgQuoting.ident(t.schema()) + "." + PgQuoting.ident(t.name());
    }
}
