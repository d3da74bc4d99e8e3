// Fills a buffer with the data of many small host files in one call: the image writer's copy
// thread (src-main/image/writer/copy-task.ts) gathers a run of consecutive file pieces into one
// buffer and writes it with one positional write. Per file this is open, fstat, pread, close and
// nothing else: no JavaScript object per call, no Stats object, no threadpool hop.
#pragma once

#include <napi.h>

namespace gm {

// fillPieces(buf: Uint8Array, nums: Float64Array, hostPaths: string[], i0, i1, firstByte) → number
// nums holds (lba, size, mtimeMs) per piece. Pieces i0 … i1 − 1 go to buf at lba × 2048 −
// firstByte, zero-padded to their sector ends, gaps zeroed. Returns the bytes filled, or −1 − i
// when piece i could not be read as the scan saw it (open/read failed, size or mtime differs,
// the file shrank): buf is then valid up to piece i's start and the caller words the error.
Napi::Value FillPieces(const Napi::CallbackInfo& info);

}  // namespace gm
