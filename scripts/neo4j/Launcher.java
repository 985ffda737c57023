// Neo4j community as a test server: Bolt on 127.0.0.1:PORT only, HTTP off, usage report off.
//
//   java -cp 'lib/*' Launcher.java PORT DATA_DIR [--password PASSWORD] [--lock-timeout SECONDS]
//                                  [--pagecache-mb MB]
//
// Without --password authentication is off; with it, auth is on and the user `neo4j` has that
// password. --lock-timeout makes a write that waits longer than SECONDS for another
// transaction's lock fail with a transient error (default: wait as long as it takes).
// --pagecache-mb sizes Neo4j's page cache (default 64 MB: test data is small).
// Prints `READY bolt://127.0.0.1:PORT` once the database answers `RETURN 1` and the
// Bolt port completes a Bolt handshake; runs until killed; SIGTERM shuts the DBMS down cleanly
// (a shutdown hook), so the store under DATA_DIR is consistent on the next start.
// scripts/neo4j-test-server fetches lib/ and runs this file.

import java.io.DataInputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.connectors.BoltConnectorInternalSettings;
import org.neo4j.configuration.connectors.HttpConnector;
import org.neo4j.configuration.connectors.HttpsConnector;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.graphdb.GraphDatabaseService;

public class Launcher {
    public static void main(String[] args) {
        try {
            run(args);
        } catch (Throwable exc) { // e.g. the port is taken: exit instead of hanging
            exc.printStackTrace();
            System.err.println("Neo4j did not start: " + exc);
            System.exit(1);
        }
    }

    static void run(String[] args) throws InterruptedException {
        String usage = "usage: java -cp 'lib/*' Launcher.java PORT DATA_DIR"
                + " [--password PASSWORD] [--lock-timeout SECONDS] [--pagecache-mb MB]";
        if (args.length < 2 || args.length % 2 != 0) {
            System.err.println(usage);
            System.exit(2);
        }
        int port = Integer.parseInt(args[0]);
        Path home = Path.of(args[1]).toAbsolutePath();
        String password = null;
        Duration lockTimeout = Duration.ZERO;
        long pagecacheMb = 64;
        for (int i = 2; i < args.length; i += 2) {
            switch (args[i]) {
                case "--password" -> password = args[i + 1];
                case "--lock-timeout" -> lockTimeout = Duration.ofSeconds(Long.parseLong(args[i + 1]));
                case "--pagecache-mb" -> pagecacheMb = Long.parseLong(args[i + 1]);
                default -> {
                    System.err.println(usage);
                    System.exit(2);
                }
            }
        }

        DatabaseManagementService dbms = new DatabaseManagementServiceBuilder(home)
                .setConfig(BoltConnector.enabled, true)
                .setConfig(BoltConnector.listen_address, new SocketAddress("127.0.0.1", port))
                .setConfig(BoltConnector.advertised_address, new SocketAddress("127.0.0.1", port))
                .setConfig(HttpConnector.enabled, false)
                .setConfig(HttpsConnector.enabled, false)
                .setConfig(GraphDatabaseSettings.auth_enabled, password != null)
                .setConfig(GraphDatabaseSettings.lock_acquisition_timeout, lockTimeout)
                // Small by default: test data is tiny and the machine is shared.
                .setConfig(GraphDatabaseSettings.pagecache_memory, pagecacheMb * 1024 * 1024)
                .setConfig(GraphDatabaseSettings.udc_enabled, false)
                // Bolt waits 5 s twice on shutdown by default; the data is flushed before.
                .setConfig(BoltConnectorInternalSettings.thread_pool_shutdown_wait_time, Duration.ofSeconds(1))
                .setConfig(BoltConnectorInternalSettings.connection_shutdown_wait_time, Duration.ofSeconds(1))
                .build();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            dbms.shutdown();
            stopped.countDown();
        }, "neo4j-shutdown"));
        try {
            if (password != null) {
                setPassword(dbms, password);
            }
            GraphDatabaseService db = dbms.database(GraphDatabaseSettings.DEFAULT_DATABASE_NAME);
            long one = db.executeTransactionally("RETURN 1 AS one", Map.of(),
                    result -> (Long) result.next().get("one"));
            if (one != 1L || !speaksBolt(port)) {
                throw new IllegalStateException("Bolt on 127.0.0.1:" + port + " does not answer");
            }
        } catch (RuntimeException exc) {
            exc.printStackTrace();
            System.err.println("Neo4j did not become ready: " + exc.getMessage());
            System.exit(1); // the shutdown hook stops the DBMS
        }
        System.out.println("READY bolt://127.0.0.1:" + port);
        System.out.flush();
        stopped.await();
    }

    /** The user neo4j's password; on a restart it may already be this one. */
    static void setPassword(DatabaseManagementService dbms, String password) {
        try {
            dbms.database(GraphDatabaseSettings.SYSTEM_DATABASE_NAME).executeTransactionally(
                    "ALTER USER neo4j SET PASSWORD $password CHANGE NOT REQUIRED",
                    Map.of("password", password));
        } catch (RuntimeException exc) {
            if (!String.valueOf(exc.getMessage()).contains("cannot be the same")) {
                throw exc;
            }
        }
    }

    /** A Bolt handshake: the magic preamble and four versions; the server picks a non-zero one. */
    static boolean speaksBolt(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            socket.setSoTimeout(5000);
            OutputStream out = socket.getOutputStream();
            out.write(new byte[] {
                0x60, 0x60, (byte) 0xB0, 0x17,
                0, 0, 4, 5,  0, 0, 0, 5,  0, 0, 0, 4,  0, 0, 0, 0,
            });
            out.flush();
            int version = new DataInputStream(socket.getInputStream()).readInt();
            return version != 0;
        } catch (java.io.IOException exc) {
            return false;
        }
    }
}
