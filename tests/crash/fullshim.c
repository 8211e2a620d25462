/*
 * fullshim.c: a full disk on demand, for the crash tests only; uptake
 * carries no hook.  Preloaded (LD_PRELOAD), a constructor registers a VFS
 * as SQLite's default that passes everything to the real default VFS and
 * counts the bytes written through xWrite (the database, its -wal and any
 * journal).  With UPTAKE_CRASH_FULL_AFTER=N, the write that would take
 * the count past N writes what still fits, as a file system does, and
 * fails with SQLITE_FULL, as does every write after it (with
 * UPTAKE_CRASH_ERROR=io, with SQLITE_IOERR_WRITE: a failing disk).  With
 * UPTAKE_CRASH_WRITES=FILE, the count is written to FILE at exit, so a
 * test can sweep N over what a command writes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

typedef struct {
	sqlite3_file base;
	sqlite3_file *real; /* follows this struct, szOsFile bytes */
} shim_file;

static sqlite3_vfs *real_vfs;
static sqlite3_vfs shim_vfs;
static long long written, budget = -1;
static int fail_code = SQLITE_FULL;
static const char *report;

#define REAL(f) (((shim_file *)(f))->real)

static int shim_close(sqlite3_file *f)
{
	return REAL(f)->pMethods->xClose(REAL(f));
}

static int shim_read(sqlite3_file *f, void *buf, int amt, sqlite3_int64 off)
{
	return REAL(f)->pMethods->xRead(REAL(f), buf, amt, off);
}

static int shim_write(sqlite3_file *f, const void *buf, int amt,
		      sqlite3_int64 off)
{
	if (budget >= 0 && written + amt > budget) {
		long long room = budget > written ? budget - written : 0;
		if (room > 0) /* the part that fits, as write(2) would */
			REAL(f)->pMethods->xWrite(REAL(f), buf, (int)room, off);
		written += room;
		return fail_code;
	}
	int rc = REAL(f)->pMethods->xWrite(REAL(f), buf, amt, off);
	if (rc == SQLITE_OK)
		written += amt;
	return rc;
}

static int shim_truncate(sqlite3_file *f, sqlite3_int64 size)
{
	return REAL(f)->pMethods->xTruncate(REAL(f), size);
}

static int shim_sync(sqlite3_file *f, int flags)
{
	return REAL(f)->pMethods->xSync(REAL(f), flags);
}

static int shim_size(sqlite3_file *f, sqlite3_int64 *size)
{
	return REAL(f)->pMethods->xFileSize(REAL(f), size);
}

static int shim_lock(sqlite3_file *f, int lock)
{
	return REAL(f)->pMethods->xLock(REAL(f), lock);
}

static int shim_unlock(sqlite3_file *f, int lock)
{
	return REAL(f)->pMethods->xUnlock(REAL(f), lock);
}

static int shim_reserved(sqlite3_file *f, int *out)
{
	return REAL(f)->pMethods->xCheckReservedLock(REAL(f), out);
}

static int shim_fcntl(sqlite3_file *f, int op, void *arg)
{
	return REAL(f)->pMethods->xFileControl(REAL(f), op, arg);
}

static int shim_sector(sqlite3_file *f)
{
	return REAL(f)->pMethods->xSectorSize(REAL(f));
}

static int shim_device(sqlite3_file *f)
{
	return REAL(f)->pMethods->xDeviceCharacteristics(REAL(f));
}

static int shim_shm_map(sqlite3_file *f, int pg, int pgsz, int extend,
			void volatile **out)
{
	return REAL(f)->pMethods->xShmMap(REAL(f), pg, pgsz, extend, out);
}

static int shim_shm_lock(sqlite3_file *f, int off, int n, int flags)
{
	return REAL(f)->pMethods->xShmLock(REAL(f), off, n, flags);
}

static void shim_shm_barrier(sqlite3_file *f)
{
	REAL(f)->pMethods->xShmBarrier(REAL(f));
}

static int shim_shm_unmap(sqlite3_file *f, int del)
{
	return REAL(f)->pMethods->xShmUnmap(REAL(f), del);
}

static int shim_fetch(sqlite3_file *f, sqlite3_int64 off, int amt, void **pp)
{
	return REAL(f)->pMethods->xFetch(REAL(f), off, amt, pp);
}

static int shim_unfetch(sqlite3_file *f, sqlite3_int64 off, void *p)
{
	return REAL(f)->pMethods->xUnfetch(REAL(f), off, p);
}

static sqlite3_io_methods shim_io = {
	3, shim_close, shim_read, shim_write, shim_truncate, shim_sync,
	shim_size, shim_lock, shim_unlock, shim_reserved, shim_fcntl,
	shim_sector, shim_device, shim_shm_map, shim_shm_lock,
	shim_shm_barrier, shim_shm_unmap, shim_fetch, shim_unfetch,
};

static int shim_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *f,
		     int flags, int *out_flags)
{
	(void)vfs;
	shim_file *p = (shim_file *)f;
	p->real = (sqlite3_file *)&p[1];
	int rc = real_vfs->xOpen(real_vfs, name, p->real, flags, out_flags);
	/* a version-3 wrapper over the unix VFS's version-3 methods */
	p->base.pMethods = p->real->pMethods ? &shim_io : NULL;
	return rc;
}

static int shim_delete(sqlite3_vfs *vfs, const char *name, int sync)
{
	(void)vfs;
	return real_vfs->xDelete(real_vfs, name, sync);
}

static int shim_access(sqlite3_vfs *vfs, const char *name, int flags,
		       int *out)
{
	(void)vfs;
	return real_vfs->xAccess(real_vfs, name, flags, out);
}

static int shim_full_path(sqlite3_vfs *vfs, const char *name, int n,
			  char *out)
{
	(void)vfs;
	return real_vfs->xFullPathname(real_vfs, name, n, out);
}

static void *shim_dlopen(sqlite3_vfs *vfs, const char *name)
{
	(void)vfs;
	return real_vfs->xDlOpen(real_vfs, name);
}

static void shim_dlerror(sqlite3_vfs *vfs, int n, char *out)
{
	(void)vfs;
	real_vfs->xDlError(real_vfs, n, out);
}

static void (*shim_dlsym(sqlite3_vfs *vfs, void *h, const char *sym))(void)
{
	(void)vfs;
	return real_vfs->xDlSym(real_vfs, h, sym);
}

static void shim_dlclose(sqlite3_vfs *vfs, void *h)
{
	(void)vfs;
	real_vfs->xDlClose(real_vfs, h);
}

static int shim_random(sqlite3_vfs *vfs, int n, char *out)
{
	(void)vfs;
	return real_vfs->xRandomness(real_vfs, n, out);
}

static int shim_sleep(sqlite3_vfs *vfs, int us)
{
	(void)vfs;
	return real_vfs->xSleep(real_vfs, us);
}

static int shim_time(sqlite3_vfs *vfs, double *out)
{
	(void)vfs;
	return real_vfs->xCurrentTime(real_vfs, out);
}

static int shim_last_error(sqlite3_vfs *vfs, int n, char *out)
{
	(void)vfs;
	return real_vfs->xGetLastError(real_vfs, n, out);
}

static int shim_time64(sqlite3_vfs *vfs, sqlite3_int64 *out)
{
	(void)vfs;
	return real_vfs->xCurrentTimeInt64(real_vfs, out);
}

static void write_report(void)
{
	FILE *fp = fopen(report, "w");
	if (fp) {
		fprintf(fp, "%lld\n", written);
		fclose(fp);
	}
}

__attribute__((constructor)) static void shim_install(void)
{
	const char *n = getenv("UPTAKE_CRASH_FULL_AFTER");
	if (n && *n)
		budget = strtoll(n, NULL, 10);
	report = getenv("UPTAKE_CRASH_WRITES");
	const char *e = getenv("UPTAKE_CRASH_ERROR");
	if (e && !strcmp(e, "io"))
		fail_code = SQLITE_IOERR_WRITE;
	real_vfs = sqlite3_vfs_find(NULL);
	if (!real_vfs) {
		fputs("fullshim: no default SQLite VFS\n", stderr);
		abort();
	}
	shim_vfs = (sqlite3_vfs){
		.iVersion = 2, .szOsFile = (int)sizeof(shim_file) +
					    real_vfs->szOsFile,
		.mxPathname = real_vfs->mxPathname, .zName = "uptake-fullshim",
		.xOpen = shim_open, .xDelete = shim_delete,
		.xAccess = shim_access, .xFullPathname = shim_full_path,
		.xDlOpen = shim_dlopen, .xDlError = shim_dlerror,
		.xDlSym = shim_dlsym, .xDlClose = shim_dlclose,
		.xRandomness = shim_random, .xSleep = shim_sleep,
		.xCurrentTime = shim_time, .xGetLastError = shim_last_error,
		.xCurrentTimeInt64 = shim_time64,
	};
	if (sqlite3_vfs_register(&shim_vfs, 1) != SQLITE_OK) {
		fputs("fullshim: cannot register the VFS\n", stderr);
		abort();
	}
	if (report && *report)
		atexit(write_report);
}
