// Command ferretdb runs FerretDB v1 (a MongoDB wire-protocol server) with its SQLite backend, for the
// project's tests, or with its PostgreSQL backend, for benchmarks of writers side by side. It is
// embedded through the ferretdb package rather than installed from FerretDB's cmd, whose binary needs
// build-time version files.
//
//	ferretdb -listen 127.0.0.1:27018 -dir /tmp/ferretdb-data
//	ferretdb -listen 127.0.0.1:27018 -postgresql postgres://user@127.0.0.1:5432/ferretdb
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/FerretDB/FerretDB/ferretdb"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:27018", "TCP address to listen on (loopback)")
	dir := flag.String("dir", "", "directory for the SQLite databases (created if missing)")
	postgresql := flag.String("postgresql", "", "a PostgreSQL URL: use the PostgreSQL backend instead of SQLite")
	flag.Parse()
	config := ferretdb.Config{Listener: ferretdb.ListenerConfig{TCP: *listen}}
	if *postgresql != "" {
		config.Handler = "postgresql"
		config.PostgreSQLURL = *postgresql
	} else {
		if *dir == "" {
			log.Fatal("-dir or -postgresql is required")
		}
		if err := os.MkdirAll(*dir, 0o755); err != nil {
			log.Fatal(err)
		}
		config.Handler = "sqlite"
		config.SQLiteURL = "file:" + *dir + "/"
	}

	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	config.Logger = logger
	server, err := ferretdb.New(&config)
	if err != nil {
		log.Fatal(err)
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	fmt.Fprintf(os.Stderr, "ferretdb listening on %s (%s backend)\n", *listen, config.Handler)
	if err := server.Run(ctx); err != nil && ctx.Err() == nil {
		log.Fatal(err)
	}
}
