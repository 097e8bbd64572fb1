/* Small file-system helpers shared by the program's commands (run, sweep). */
#ifndef CR_FSUTIL_H
#define CR_FSUTIL_H

/* mkdir -p; returns 0 or an errno (ENOTDIR when the path exists and is not a folder). */
int cr_fs_mkdirs(const char *path);

#endif
