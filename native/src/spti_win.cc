// Windows backend: SCSI Pass Through Direct (IOCTL_SCSI_PASS_THROUGH_DIRECT) on \\.\X: CD-ROM
// volumes, the interface IMAPI2 itself sits on. Compiled only on Windows (binding.gyp); it cannot be
// built on the Linux CI, so it is kept deliberately plain.
#include "device.h"
#include "spti_math.h"

#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#include <windows.h>
#include <winioctl.h>
#include <ntddscsi.h>

#include <chrono>
#include <cstddef>
#include <cstring>
#include <string>
#include <utility>

namespace gm {

namespace {

constexpr unsigned kSenseMax = 64;

// The sense buffer follows the header in the same allocation; SenseInfoOffset points at it.
struct SptdWithSense {
  SCSI_PASS_THROUGH_DIRECT sptd;
  ULONG filler;
  UCHAR sense[kSenseMax];
};

// What open() hands back: the handle plus the adapter's buffer alignment requirement
// (IO_SCSI_CAPABILITIES.AlignmentMask), which DataBuffer must satisfy.
struct WinDevice {
  HANDLE handle;
  ULONG alignmentMask;
};

const char* Win32Name(DWORD e) {
  switch (e) {
    case ERROR_INVALID_FUNCTION: return "ERROR_INVALID_FUNCTION";
    case ERROR_FILE_NOT_FOUND: return "ERROR_FILE_NOT_FOUND";
    case ERROR_PATH_NOT_FOUND: return "ERROR_PATH_NOT_FOUND";
    case ERROR_ACCESS_DENIED: return "ERROR_ACCESS_DENIED";
    case ERROR_INVALID_HANDLE: return "ERROR_INVALID_HANDLE";
    case ERROR_NOT_ENOUGH_MEMORY: return "ERROR_NOT_ENOUGH_MEMORY";
    case ERROR_NOT_READY: return "ERROR_NOT_READY";
    case ERROR_BAD_COMMAND: return "ERROR_BAD_COMMAND";
    case ERROR_GEN_FAILURE: return "ERROR_GEN_FAILURE";
    case ERROR_SHARING_VIOLATION: return "ERROR_SHARING_VIOLATION";
    case ERROR_NOT_SUPPORTED: return "ERROR_NOT_SUPPORTED";
    case ERROR_INVALID_PARAMETER: return "ERROR_INVALID_PARAMETER";
    case ERROR_SEM_TIMEOUT: return "ERROR_SEM_TIMEOUT";
    case ERROR_INSUFFICIENT_BUFFER: return "ERROR_INSUFFICIENT_BUFFER";
    case ERROR_BUSY: return "ERROR_BUSY";
    case ERROR_MEDIA_CHANGED: return "ERROR_MEDIA_CHANGED";
    case ERROR_NO_MEDIA_IN_DRIVE: return "ERROR_NO_MEDIA_IN_DRIVE";
    case ERROR_IO_DEVICE: return "ERROR_IO_DEVICE";
    case ERROR_DEVICE_NOT_CONNECTED: return "ERROR_DEVICE_NOT_CONNECTED";
    case ERROR_TIMEOUT: return "ERROR_TIMEOUT";
    default: return "";
  }
}

void SetErr(OsError& err, DWORD e, const char* syscall) {
  err.errnum = static_cast<int>(e);
  err.code = Win32Name(e);
  err.syscall = syscall;
}

std::wstring Widen(const std::string& s) {
  if (s.empty()) return std::wstring();
  int n = MultiByteToWideChar(CP_UTF8, 0, s.data(), static_cast<int>(s.size()), nullptr, 0);
  std::wstring w(static_cast<size_t>(n), L'\0');
  MultiByteToWideChar(CP_UTF8, 0, s.data(), static_cast<int>(s.size()), &w[0], n);
  return w;
}

std::string Trim(const char* p) {
  std::string s(p);
  auto end = s.find_last_not_of(' ');
  if (end == std::string::npos) return "";
  return s.substr(s.find_first_not_of(' '), end - s.find_first_not_of(' ') + 1);
}

// Vendor/product/revision from the storage stack (no SCSI command needed, works without a disc).
void QueryIdentity(const std::wstring& path, DriveEntry& entry) {
  HANDLE h = CreateFileW(path.c_str(), 0, FILE_SHARE_READ | FILE_SHARE_WRITE, nullptr, OPEN_EXISTING, 0, nullptr);
  if (h == INVALID_HANDLE_VALUE) return;
  STORAGE_PROPERTY_QUERY query;
  std::memset(&query, 0, sizeof query);
  query.PropertyId = StorageDeviceProperty;
  query.QueryType = PropertyStandardQuery;
  alignas(8) char buf[1024];
  std::memset(buf, 0, sizeof buf);
  DWORD returned = 0;
  if (DeviceIoControl(h, IOCTL_STORAGE_QUERY_PROPERTY, &query, sizeof query, buf, sizeof buf - 1, &returned, nullptr)) {
    auto* desc = reinterpret_cast<STORAGE_DEVICE_DESCRIPTOR*>(buf);
    if (desc->VendorIdOffset && desc->VendorIdOffset < returned) entry.vendor = Trim(buf + desc->VendorIdOffset);
    if (desc->ProductIdOffset && desc->ProductIdOffset < returned) entry.model = Trim(buf + desc->ProductIdOffset);
    if (desc->ProductRevisionOffset && desc->ProductRevisionOffset < returned)
      entry.revision = Trim(buf + desc->ProductRevisionOffset);
  }
  CloseHandle(h);
}

// The CD-ROM class driver's device number behind a path, so \\.\CdRomN and \\.\X: can be matched.
bool CdromNumber(const std::string& path, DWORD& number) {
  HANDLE h = CreateFileW(Widen(path).c_str(), 0, FILE_SHARE_READ | FILE_SHARE_WRITE, nullptr, OPEN_EXISTING, 0, nullptr);
  if (h == INVALID_HANDLE_VALUE) return false;
  STORAGE_DEVICE_NUMBER n;
  std::memset(&n, 0, sizeof n);
  DWORD returned = 0;
  BOOL ok = DeviceIoControl(h, IOCTL_STORAGE_GET_DEVICE_NUMBER, nullptr, 0, &n, sizeof n, &returned, nullptr);
  CloseHandle(h);
  if (!ok || n.DeviceType != FILE_DEVICE_CD_ROM) return false;
  number = n.DeviceNumber;
  return true;
}

}  // namespace

const char* BackendName() { return "spti"; }

// Every CD-ROM class device (\\.\CdRom0 … — letterless drives included), addressed by its drive
// letter when it has one, since that is the name users know.
bool ListDrives(std::vector<DriveEntry>& out, OsError&) {
  std::vector<std::pair<DWORD, std::string>> letters;
  DWORD mask = GetLogicalDrives();
  for (int i = 0; i < 26; i++) {
    if (!(mask & (1u << i))) continue;
    wchar_t root[] = {static_cast<wchar_t>(L'A' + i), L':', L'\\', 0};
    if (GetDriveTypeW(root) != DRIVE_CDROM) continue;
    std::string path = std::string("\\\\.\\") + static_cast<char>('A' + i) + ":";
    DWORD number = 0;
    letters.emplace_back(CdromNumber(path, number) ? number : MAXDWORD, path);
  }
  std::vector<bool> used(letters.size(), false);
  for (int n = 0; n < 32; n++) {
    std::string cdrom = "\\\\.\\CdRom" + std::to_string(n);
    DWORD number = 0;
    if (!CdromNumber(cdrom, number)) continue;
    DriveEntry entry;
    entry.path = cdrom;
    for (size_t i = 0; i < letters.size(); i++) {
      if (!used[i] && letters[i].first == number) {
        entry.path = letters[i].second;
        used[i] = true;
        break;
      }
    }
    QueryIdentity(Widen(entry.path), entry);
    out.push_back(std::move(entry));
  }
  // A letter whose device number could not be read still names a drive.
  for (size_t i = 0; i < letters.size(); i++) {
    if (used[i]) continue;
    DriveEntry entry;
    entry.path = letters[i].second;
    QueryIdentity(Widen(entry.path), entry);
    out.push_back(std::move(entry));
  }
  return true;
}

bool OpenDevice(const std::string& path, bool exclusive, NativeHandle& out, OsError& err) {
  // Pass-through needs read+write access. Share mode 0 = nobody else (Explorer, IMAPI) may open
  // the drive while we burn.
  DWORD share = exclusive ? 0 : (FILE_SHARE_READ | FILE_SHARE_WRITE);
  HANDLE h = CreateFileW(Widen(path).c_str(), GENERIC_READ | GENERIC_WRITE, share, nullptr, OPEN_EXISTING, 0, nullptr);
  if (h == INVALID_HANDLE_VALUE) {
    SetErr(err, GetLastError(), "CreateFile");
    return false;
  }
  IO_SCSI_CAPABILITIES caps;
  std::memset(&caps, 0, sizeof caps);
  DWORD returned = 0;
  ULONG alignmentMask = 0;
  if (DeviceIoControl(h, IOCTL_SCSI_GET_CAPABILITIES, nullptr, 0, &caps, sizeof caps, &returned, nullptr))
    alignmentMask = caps.AlignmentMask;
  out = reinterpret_cast<NativeHandle>(new WinDevice{h, alignmentMask});
  return true;
}

void CloseDevice(NativeHandle h) {
  auto* dev = reinterpret_cast<WinDevice*>(h);
  CloseHandle(dev->handle);
  delete dev;
}

bool ExecuteCommand(NativeHandle h, const ExecRequest& req, ExecResult& res, OsError& err) {
  auto* dev = reinterpret_cast<WinDevice*>(h);
  if (req.cdb.size() > sizeof(SCSI_PASS_THROUGH_DIRECT::Cdb)) {
    SetErr(err, ERROR_INVALID_PARAMETER, "execute");
    return false;
  }
  const ULONG length = req.direction == Direction::None ? 0 : req.length;

  // DataBuffer must satisfy the adapter's alignment; bounce through a page-aligned VirtualAlloc
  // buffer only when the JS buffer does not.
  void* buffer = req.data;
  void* bounce = nullptr;
  if (length > 0 && (reinterpret_cast<ULONG_PTR>(req.data) & dev->alignmentMask) != 0) {
    bounce = VirtualAlloc(nullptr, length, MEM_COMMIT | MEM_RESERVE, PAGE_READWRITE);
    if (!bounce) {
      SetErr(err, GetLastError(), "VirtualAlloc");
      return false;
    }
    if (req.direction == Direction::Out) std::memcpy(bounce, req.data, length);
    buffer = bounce;
  }

  SptdWithSense s;
  std::memset(&s, 0, sizeof s);
  s.sptd.Length = sizeof(SCSI_PASS_THROUGH_DIRECT);
  s.sptd.CdbLength = static_cast<UCHAR>(req.cdb.size());
  s.sptd.SenseInfoLength = kSenseMax;
  s.sptd.SenseInfoOffset = offsetof(SptdWithSense, sense);
  s.sptd.DataIn = req.direction == Direction::In    ? SCSI_IOCTL_DATA_IN
                  : req.direction == Direction::Out ? SCSI_IOCTL_DATA_OUT
                                                    : SCSI_IOCTL_DATA_UNSPECIFIED;
  s.sptd.DataTransferLength = length;
  s.sptd.DataBuffer = length > 0 ? buffer : nullptr;
  // SPTD timeouts are whole seconds: rounded up, saturated (spti_math.h).
  s.sptd.TimeOutValue = SptiTimeoutSeconds(req.timeoutMs);
  std::memcpy(s.sptd.Cdb, req.cdb.data(), req.cdb.size());

  DWORD returned = 0;
  auto start = std::chrono::steady_clock::now();
  BOOL ok = DeviceIoControl(dev->handle, IOCTL_SCSI_PASS_THROUGH_DIRECT, &s, sizeof s, &s, sizeof s, &returned, nullptr);
  auto end = std::chrono::steady_clock::now();
  res.durationMs = std::chrono::duration<double, std::milli>(end - start).count();
  DWORD lastError = ok ? 0 : GetLastError();

  // On return DataTransferLength holds the bytes the driver says it moved: never trusted past the buffer.
  const ULONG moved = SptiTransferred(length, s.sptd.DataTransferLength);
  if (bounce) {
    if (ok && req.direction == Direction::In) std::memcpy(req.data, bounce, moved);
    VirtualFree(bounce, 0, MEM_RELEASE);
  }
  if (!ok) {
    SetErr(err, lastError, "DeviceIoControl(IOCTL_SCSI_PASS_THROUGH_DIRECT)");
    return false;
  }
  res.status = s.sptd.ScsiStatus;
  res.residual = static_cast<int64_t>(length) - static_cast<int64_t>(moved);
  // SenseInfoLength is updated to the sense bytes returned; only trust it when the status says
  // there is sense (some miniports leave it untouched on GOOD).
  if (res.status != 0 && s.sptd.SenseInfoLength > 0)
    res.sense.assign(s.sense, s.sense + SptiSenseLength(s.sptd.SenseInfoLength, kSenseMax));
  return true;
}

}  // namespace gm
