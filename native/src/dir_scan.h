// Reads one host directory for the image scanner (src-main/image/staging/staging-tree.ts): every
// entry's name and the stat fields the staging tree records, in one call. Per entry this is one
// fstatat against the directory's descriptor (one path component walked, not the whole path) and
// no JavaScript object: no fs.Stats, no four Dates, no boxed numbers per file.
#pragma once

#include <napi.h>

namespace gm {

// Fields per entry in scanDir's `nums` (doubles, in this order).
constexpr int kScanFields = 8;  // mode, size, uid, gid, mtimeMs, ctimeMs, dev, ino

// scanDir(dirPath: string, followSymlinks: boolean) → { names: string[], nums: Float64Array } | null
// Names in byte order (for UTF-8: code point order), "." and ".." left out; nums holds kScanFields
// numbers per name, as Node's fs.lstatSync (fs.statSync when following links) gives them (mtimeMs
// and ctimeMs with Node's arithmetic). An entry whose stat failed has mode −1: the caller stats it
// again for the typed error. null when the directory cannot be opened or read, or holds a name that
// is not valid UTF-8: the caller reads that directory in JavaScript, which words the error.
Napi::Value ScanDir(const Napi::CallbackInfo& info);

}  // namespace gm
