/* Small file-system helpers shared by the program's commands (run, sweep, claims, latex): mkdir -p, the checks
 * on an output folder, temporaries with unpredictable names opened with O_CREAT|O_EXCL|O_NOFOLLOW, collection of
 * the temporaries that killed processes left, and staged run folders: a run is built in a temporary sibling
 * folder and renamed into place whole, so a reader sees the complete old run or the complete new one. */
#ifndef CR_FSUTIL_H
#define CR_FSUTIL_H

#include <stddef.h>
#include <stdio.h>

#include "err.h"

/* Longest output folder path (bytes, as given) a run accepts: the files inside it and its temporaries must
 * still fit the program's path buffers (CR_PATH_MAX). A sweep's folder leaves room for a point name. */
#define CR_OUT_MAX 768
/* The file a sweep sends a point's standard error to, inside the point's folder. */
#define CR_FS_LOG_NAME "stderr.log"

/* mkdir -p; returns 0 or an errno (ENOTDIR when the path exists and is not a folder). */
int cr_fs_mkdirs(const char *path);

/* The first control character of s (a byte below 0x20, or 0x7f), else -1: a name or path holding one cannot be
 * written as it is into a file read line by line (a job file, TeX input). */
int cr_fs_control_char(const char *s);

/* The rest of the stream f (not closed) in a malloc'ed buffer, its *len bytes (if len is not NULL) followed by a
 * NUL; NULL with errno set (EIO on a read error, ENOMEM) when it cannot be read whole. */
char *cr_fs_read_all(FILE *f, size_t *len);

/* Checks dir as a run's output folder before anything is written; CR_EINPUT with a message naming `what`
 * (e.g. "--out") when: dir is empty, longer than CR_OUT_MAX, has a component longer than NAME_MAX (the last
 * one leaves room for its temporary's suffix), ends in "." or ".." or is "/", is a symbolic link (never
 * followed), is not a folder, is a folder that a rerun may not replace (neither empty, nor a run folder with
 * manifest.yaml, nor only a sweep's stderr.log; a subfolder is never replaced), or cannot be created or
 * replaced (its parent, or its first existing ancestor, is not a writable folder). Writes nothing. */
int cr_fs_check_outdir(const char *what, const char *dir, cr_err *err);

/* Whether dir is a folder (not a symbolic link) that a run may replace: empty, a run folder (this program's
 * manifest.yaml) or only a sweep's stderr.log, without subfolders (see cr_fs_check_outdir). */
int cr_fs_is_run_folder(const char *dir);

/* Removes the run folder dir (cr_fs_is_run_folder): renamed to a temporary name beside it first, so that a
 * process killed meanwhile leaves a temporary that the next run collects, never half a run under its name.
 * CR_ERUNTIME (message naming dir) when it cannot be; CR_EINPUT when dir is not a run folder (nothing removed). */
int cr_fs_remove_run_folder(const char *dir, cr_err *err);

/* The path without its last component: "." when it has no slash, "/" for a name just under the root (out: cap
 * bytes, truncated to fit). */
void cr_fs_parent(const char *path, char *out, size_t cap);

/* CR_OK when a folder dir that does not exist can be made: walking up from `from` (dir's parent, or dir itself) to
 * the first existing path, that path is a writable folder (or the walk reaches "." or "/"); else CR_EINPUT with a
 * message naming `what`, dir and the offending ancestor. */
int cr_fs_check_creatable(const char *what, const char *dir, const char *from, cr_err *err);

/* Creates a new empty file ".BASE.tmp.PID.XXXXXX" (random suffix) in folder dir with
 * O_WRONLY|O_CREAT|O_EXCL|O_NOFOLLOW|O_CLOEXEC and mode 0666 (less the umask), after collecting the stale
 * temporaries of BASE there. Returns the descriptor and its path in tmp (cap bytes), or -1 with errno set. */
int cr_fs_temp_file(const char *dir, const char *base, char *tmp, size_t cap);

/* Removes the temporaries ".BASE.tmp.PID[.XXXXXX]" (files, or folders holding only files) in folder dir whose
 * process PID is gone and that no process holds locked. Errors are ignored: collection is best effort. */
void cr_fs_collect(const char *dir, const char *base);

/* A staged run folder: cr_fs_stage_begin creates the parent folders of target, collects the stale staging
 * folders of target and creates a fresh locked folder ".BASE.tmp.PID.XXXXXX" beside it; the run writes its files
 * there (cr_fs_stage_dir). cr_fs_stage_commit puts the folder in place of target in one step (renameat2
 * RENAME_EXCHANGE, or a rename aside where the file system cannot exchange) and removes the old run; a
 * regular file stderr.log of the old folder that is this process's standard error moves into the new one. */
typedef struct cr_fs_stage cr_fs_stage;

int cr_fs_stage_begin(const char *target, cr_fs_stage **out, cr_err *err);
const char *cr_fs_stage_dir(const cr_fs_stage *s);
/* CR_ERUNTIME when the folder cannot be put in place (the staging folder is then removed, target unchanged).
 * Frees s in every case. */
int cr_fs_stage_commit(cr_fs_stage *s, cr_err *err);
/* Removes the staging folder and frees s (NULL accepted). replace_target: target is replaced by an empty folder
 * (keeping the carried stderr.log, see above), so that no previous run stays under its name as if current. */
void cr_fs_stage_abort(cr_fs_stage *s, int replace_target);
/* Removes the files of the open staging folder and the folder (async-signal-safe; for signal handlers). */
void cr_fs_stage_cleanup_signal(void);

#endif
