// Null backend for platforms without a transport yet (macOS, BSD …): the addon still builds and
// loads, list() finds nothing and open() reports "not supported" as data (TS: NotSupportedError).
#include "device.h"

namespace gm {

const char* BackendName() { return "none"; }

bool ListDrives(std::vector<DriveEntry>&, OsError&) { return true; }

bool OpenDevice(const std::string&, bool, NativeHandle&, OsError& err) {
  err.errnum = 0;
  err.code = "ENOTSUP";
  err.syscall = "open";
  err.notSupported = true;
  return false;
}

void CloseDevice(NativeHandle) {}

bool ExecuteCommand(NativeHandle, const ExecRequest&, ExecResult&, OsError& err) {
  err.errnum = 0;
  err.code = "ENOTSUP";
  err.syscall = "execute";
  err.notSupported = true;
  return false;
}

}  // namespace gm
