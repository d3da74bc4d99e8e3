// The arithmetic of SPTI requests, kept free of <windows.h> so it is unit-tested on Linux
// (src-main/transport/native/native-addon-safety.test.ts compiles it with the host g++).
#pragma once

#include <cstdint>

namespace gm {

// SCSI_PASS_THROUGH(_DIRECT).TimeOutValue is whole seconds. No MMC command needs more than a day
// (a full BD-RE format is about an hour); a larger request saturates here instead of wrapping.
constexpr uint32_t kSptiMaxTimeoutSeconds = 24 * 60 * 60;

// Milliseconds rounded up to whole seconds, at least 1, at most kSptiMaxTimeoutSeconds. Computed
// in 64 bits: the 32-bit (ms + 999) / 1000 wrapped for ms > 0xFFFFFC18 and gave 0 (no timeout).
inline uint32_t SptiTimeoutSeconds(uint32_t timeoutMs) {
  uint64_t s = (static_cast<uint64_t>(timeoutMs) + 999) / 1000;
  if (s < 1) s = 1;
  if (s > kSptiMaxTimeoutSeconds) s = kSptiMaxTimeoutSeconds;
  return static_cast<uint32_t>(s);
}

// The bytes a command moved, as the driver reports them in DataTransferLength, clamped to the
// buffer: a miniport reporting more than was asked must not make us copy past the end.
inline uint32_t SptiTransferred(uint32_t requested, uint32_t reported) { return reported < requested ? reported : requested; }

// Sense bytes to keep: the driver's SenseInfoLength clamped to the buffer after the header.
inline uint32_t SptiSenseLength(uint32_t reported, uint32_t capacity) { return reported < capacity ? reported : capacity; }

}  // namespace gm
