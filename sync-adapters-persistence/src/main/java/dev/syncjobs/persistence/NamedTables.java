package dev.syncjobs.persistence;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;

/**
 * A connection whose {@code prepareStatement}, {@code prepareCall} and {@code nativeSQL} write the
 * prefixed table names into the statement's text ({@link Tables#sql}), so every statement of the
 * repositories is written once, with {@code {jobs}} where it names a table. Everything else goes to
 * the connection as it is ({@code unwrap} too, so PostgreSQL's own interface stays reachable).
 */
final class NamedTables implements InvocationHandler {
  private final Connection connection;
  private final Tables tables;

  private NamedTables(Connection connection, Tables tables) {
    this.connection = connection;
    this.tables = tables;
  }

  static Connection wrap(Connection connection, Tables tables) {
    return (Connection)
        Proxy.newProxyInstance(
            NamedTables.class.getClassLoader(),
            new Class<?>[] {Connection.class},
            new NamedTables(connection, tables));
  }

  @Override
  public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
    String name = method.getName();
    if (args != null
        && args.length > 0
        && args[0] instanceof String sql
        && (name.startsWith("prepare") || name.equals("nativeSQL"))) {
      args[0] = tables.sql(sql);
    }
    try {
      return method.invoke(connection, args);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }
}
