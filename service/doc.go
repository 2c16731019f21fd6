// Package service is the running application: the generation built from a configuration
// (state store, engines, pipeline, sink, sources), the answers the API serves (report,
// assessment, daily values, now, sites, backfill jobs, spool, rebuild) and the exposition
// caches, and the running service that schedules the sources and serves the routes.
// cmd/envwatch keeps the flags, the signals and reload, the remote client, the health
// check and the calculators; api holds the HTTP contract (docs/design.md).
package service
