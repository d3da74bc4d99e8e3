// Reads one host directory for the image scanner (src-main/image/staging/staging-tree.ts): every
// entry's name and the stat fields the staging tree records, in one call. Per entry this is one
// fstatat against the directory's descriptor (one path component walked, not the whole path) and
// no JavaScript object: no fs.Stats, no four Dates, no boxed numbers per file.
#pragma once

#include <napi.h>

#include <string>
#include <vector>

namespace gm {

// Fields per entry in scanDir's `nums` (doubles, in this order).
constexpr int kScanFields = 8;  // mode, size, uid, gid, mtimeMs, ctimeMs, dev, ino

// scanDir(dirPath: string, followSymlinks: boolean) → { names: string, nums: Float64Array } | null
// (names: every entry name followed by a NUL, in one string)
// Names in byte order (for UTF-8: code point order), "." and ".." left out; nums holds kScanFields
// numbers per name, as Node's fs.lstatSync (fs.statSync when following links) gives them (mtimeMs
// and ctimeMs with Node's arithmetic). An entry whose stat failed has mode −1: the caller stats it
// again for the typed error. null when the directory cannot be opened or read, or holds a name that
// is not valid UTF-8: the caller reads that directory in JavaScript, which words the error.
Napi::Value ScanDir(const Napi::CallbackInfo& info);

// ScanDir's work without JavaScript (any thread): false where ScanDir answers null.
bool ReadDirectory(const std::string& dirPath, bool follow, std::vector<std::string>& names, std::vector<double>& nums);
// ScanDir's answer from ReadDirectory's (JS thread).
Napi::Value PackDirectory(Napi::Env env, const std::vector<std::string>& names, const std::vector<double>& nums);

// TreeReader: a folder tree read ahead of the scanner, by a thread of its own (tree_read_posix.cc).
Napi::Function DefineTreeReader(Napi::Env env);

}  // namespace gm
