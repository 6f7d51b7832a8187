#include "CSQLiteSettings.h"

#include <sqlite3.h>

int csqlite_use_connections_one_thread_at_a_time(void) {
    // sqlite3_config is variadic, which Swift cannot call: hence this file. Both calls fail with
    // SQLITE_MISUSE, changing nothing, once SQLite has been initialized.
    if (sqlite3_config(SQLITE_CONFIG_MULTITHREAD) != SQLITE_OK) return 0;
    return sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0) == SQLITE_OK;
}
