// A test-only backend (never in binding.gyp): a "device" whose commands block for a while on the
// device thread and then read the data-out buffer or fill the data-in buffer. It lets the host
// tests (src-main/transport/native/native-addon-safety.test.ts) hold real commands in flight in
// the real addon without a drive: buffer detachment mid-command and the addon's own threads.
//
// CDB conventions: byte 1 = how long the command blocks, in units of 10 ms; byte 2 = the byte an
// 'in' command fills its buffer with. An 'out' command answers with 8 "sense" bytes: the sum of
// the bytes it read (uint32 little-endian) and the number of bytes (uint32 little-endian).
#include <chrono>
#include <thread>

#include "../src/device.h"

namespace gm {

const char* BackendName() { return "loopback"; }

bool ListDrives(std::vector<DriveEntry>&, OsError&) { return true; }

bool OpenDevice(const std::string&, bool, NativeHandle& out, OsError&) {
  out = 1;
  return true;
}

void CloseDevice(NativeHandle) {}

bool ExecuteCommand(NativeHandle, const ExecRequest& req, ExecResult& res, OsError&) {
  std::this_thread::sleep_for(std::chrono::milliseconds(10 * req.cdb[1]));
  res.status = 0;
  if (req.direction == Direction::Out) {
    uint32_t sum = 0;
    for (uint32_t i = 0; i < req.length; i++) sum += req.data[i];
    res.sense = {static_cast<uint8_t>(sum), static_cast<uint8_t>(sum >> 8), static_cast<uint8_t>(sum >> 16), static_cast<uint8_t>(sum >> 24),
                 static_cast<uint8_t>(req.length), static_cast<uint8_t>(req.length >> 8), static_cast<uint8_t>(req.length >> 16), static_cast<uint8_t>(req.length >> 24)};
  } else if (req.direction == Direction::In) {
    for (uint32_t i = 0; i < req.length; i++) req.data[i] = req.cdb[2];
  }
  return true;
}

}  // namespace gm
