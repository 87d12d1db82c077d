package io.echodb.adapters.postgres.replication;

import io.echodb.adapters.postgres.jdbc.PgConnectionFactory;
import io.echodb.adapters.postgres.jdbc.PgSql;

import io.echodb.adapters.postgres.catalog.PgTableDescriber;
import io.echodb.adapters.postgres.catalog.PgTypeResolver;
import io.echodb.adapters.postgres.decode.RelationMessage;
import io.echodb.adapters.postgres.decode.RelationResolver;
import io.echodb.core.schema.TableSchema;
import java.sql.Connection;
import java.sql.SQLException;

/**
 * Resolves Relation messages through a normal connection of its own (opened lazily, reopened once after a failure).
 * Used only by one stream's reader thread.
 */
final class CatalogRelationResolver implements RelationResolver, AutoCloseable {

    private final PgConnectionFactory connections;
    private final PgTypeResolver types = new PgTypeResolver();
    private final PgTableDescriber describer = new PgTableDescriber(types);
    private Connection connection;

    CatalogRelationResolver(PgConnectionFactory connections) {
        this.connections = connections;
    }

    @Override
    public TableSchema resolve(RelationMessage message) {
        try {
            return describer.fromRelation(connection(), message);
        } catch (SQLException first) {
            close();
            try {
                return describer.fromRelation(connection(), message);
            } catch (SQLException e) {
                close();
                e.addSuppressed(first);
                throw PgSql.translate("read the catalog for relation " + message.schema() + "." + message.table(), e);
            }
        }
    }

    @Override
    public void typeChanged(int typeOid) {
        types.forgetUserTypes();
    }

    private Connection connection() throws SQLException {
        if (connection == null) {
            connection = connections.openDedicated();
        }
        return connection;
    }

    @Override
    public void close() {
        PgConnectionFactory.closeQuietly(connection);
        connection = null;
    }
}
