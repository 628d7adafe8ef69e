// Command ferretdb runs FerretDB 1.24.2 for local development and tests, on
// its PostgreSQL backend (what sms-sync uses: it pushes equality filters down
// to PostgreSQL, see docs/local-store.md) or its SQLite backend.
//
// It exists because the binary that `go install
// github.com/FerretDB/FerretDB/cmd/ferretdb@v1.24.2` produces panics at
// start-up ("Invalid build/version/version.txt file content"): FerretDB's own
// main module expects a version file that only its release tooling generates.
// Embedding FerretDB through its public `ferretdb` package from this module
// skips that check and runs the same handler and backends.
//
// The flags mirror the ones of the upstream command that sms-sync passes, so a
// real FerretDB binary (FERRETDB_PATH) and this one are interchangeable.
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/FerretDB/FerretDB/ferretdb"
)

func main() {
	handler := flag.String("handler", "postgresql", "backend handler: postgresql or sqlite")
	postgresqlURL := flag.String("postgresql-url", "postgres://127.0.0.1:5432/ferretdb", "PostgreSQL URL (pgx syntax)")
	sqliteURL := flag.String("sqlite-url", "file:data/", "SQLite URI of an existing directory")
	listenAddr := flag.String("listen-addr", "127.0.0.1:27017", "TCP address to listen on")
	logLevel := flag.String("log-level", "warn", "debug, info, warn or error")
	// Accepted for compatibility with the upstream command; the embedded
	// server has no telemetry, no state file and no debug listener.
	flag.String("telemetry", "disable", "ignored")
	flag.String("state-dir", "-", "ignored")
	flag.String("debug-addr", "-", "ignored")
	version := flag.Bool("version", false, "print the version and exit")
	flag.Parse()

	if *version {
		fmt.Println("ferretdb v1.24.2 (embedded, sms-sync tools)")
		return
	}
	if *handler != "postgresql" && *handler != "sqlite" {
		fatal(fmt.Errorf("unsupported handler %q: use postgresql or sqlite", *handler))
	}

	var level slog.Level
	if err := level.UnmarshalText([]byte(*logLevel)); err != nil {
		fatal(fmt.Errorf("invalid --log-level: %w", err))
	}
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))

	server, err := ferretdb.New(&ferretdb.Config{
		Listener:      ferretdb.ListenerConfig{TCP: *listenAddr},
		Logger:        logger,
		Handler:       *handler,
		PostgreSQLURL: *postgresqlURL,
		SQLiteURL:     *sqliteURL,
	})
	if err != nil {
		fatal(err)
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	defer stop()

	logger.Info("listening", "addr", *listenAddr)
	if err := server.Run(ctx); err != nil && ctx.Err() == nil {
		fatal(err)
	}
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "ferretdb:", err)
	os.Exit(1)
}
