// The per-OS backend interface: list, open, close, execute. Exactly one of sg_linux.cc,
// spti_win.cc or device_dummy.cc is compiled (binding.gyp). Nothing here knows MMC; CDBs and sense
// are opaque bytes that TypeScript builds and decodes.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace gm {

// Linux: a file descriptor. Windows: a HANDLE. Stored as an integer so addon.cc stays OS-neutral.
using NativeHandle = std::intptr_t;

// An OS-level failure kept as data: the number, its symbolic name and the call that failed.
// TypeScript turns it into a TransportError; no message is formatted here.
struct OsError {
  int errnum = 0;
  std::string code;     // "ENOENT", "ERROR_ACCESS_DENIED", "ENOTSUP" …
  std::string syscall;  // "open", "ioctl(SG_IO)", "DeviceIoControl" …
  bool notSupported = false;  // the null backend: no transport on this OS
};

enum class Direction { None, In, Out };

struct ExecRequest {
  std::vector<uint8_t> cdb;
  Direction direction = Direction::None;
  // Out: the bytes to send. In: a buffer of `length` bytes the device writes into. Both point into
  // a buffer the addon owns for the duration of the command (ExecuteJob), never into JS memory.
  uint8_t* data = nullptr;
  uint32_t length = 0;
  uint32_t timeoutMs = 30000;
};

struct ExecResult {
  int status = 0;        // SCSI status byte (SAM-5 §5.3)
  int hostStatus = 0;    // Linux host_status (DID_*); 0 elsewhere
  int driverStatus = 0;  // Linux driver_status (DRIVER_*); 0 elsewhere
  std::vector<uint8_t> sense;
  int64_t residual = 0;  // requested minus transferred bytes
  double durationMs = 0;
};

struct DriveEntry {
  std::string path;       // what open() takes: /dev/srN (or /dev/sgN when no block node), \\.\E:
  std::string blockNode;  // /dev/srN
  std::string sgNode;     // /dev/sgN
  std::string vendor;
  std::string model;
  std::string revision;
  std::string busAddress;  // Linux H:C:T:L
};

const char* BackendName();
bool ListDrives(std::vector<DriveEntry>& out, OsError& err);
bool OpenDevice(const std::string& path, bool exclusive, NativeHandle& out, OsError& err);
void CloseDevice(NativeHandle h);
// Runs on one of the addon's device threads (io_pool.h). Returns false only for transport failures; a CHECK CONDITION is
// a successful return with status 0x02 and sense bytes.
bool ExecuteCommand(NativeHandle h, const ExecRequest& req, ExecResult& res, OsError& err);

}  // namespace gm
