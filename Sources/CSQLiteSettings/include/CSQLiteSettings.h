// The process-wide settings the command line gives SQLite before it opens a database.
#ifndef CSQLITESETTINGS_H
#define CSQLITESETTINGS_H

/// Puts SQLite in multi-thread mode (no mutex on each connection: GRDB already gives a connection
/// to one thread at a time) and turns off its memory statistics (a global mutex on every
/// allocation). Returns 1 when both took effect, 0 when SQLite had already started, which leaves
/// its settings as they were.
int csqlite_use_connections_one_thread_at_a_time(void);

#endif
