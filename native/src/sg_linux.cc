// Linux backend: the SG_IO ioctl (sg_io_hdr, interface 'S', version 3) on /dev/srN or /dev/sgN.
// Both the sr block driver and the sg char driver accept SG_IO; enumeration comes from sysfs.
#include "device.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <scsi/sg.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <fstream>

namespace gm {

namespace {

// Sense buffer size: SPC-4 §4.5 caps sense data at 252 bytes; the sr/sg midlayer keeps 96
// (SCSI_SENSE_BUFFERSIZE), so asking for more only wastes stack.
constexpr unsigned kSenseMax = 96;

const char* ErrnoName(int e) {
  switch (e) {
    case EPERM: return "EPERM";
    case ENOENT: return "ENOENT";
    case EINTR: return "EINTR";
    case EIO: return "EIO";
    case ENXIO: return "ENXIO";
    case EBADF: return "EBADF";
    case EAGAIN: return "EAGAIN";
    case ENOMEM: return "ENOMEM";
    case EACCES: return "EACCES";
    case EFAULT: return "EFAULT";
    case EBUSY: return "EBUSY";
    case ENODEV: return "ENODEV";
    case ENOTDIR: return "ENOTDIR";
    case EISDIR: return "EISDIR";
    case EINVAL: return "EINVAL";
    case ENFILE: return "ENFILE";
    case EMFILE: return "EMFILE";
    case ENOTTY: return "ENOTTY";
    case EROFS: return "EROFS";
    case ENOSYS: return "ENOSYS";
    case EOVERFLOW: return "EOVERFLOW";
    case EOPNOTSUPP: return "EOPNOTSUPP";
    case ETIMEDOUT: return "ETIMEDOUT";
    case ESHUTDOWN: return "ESHUTDOWN";
    case ENOMEDIUM: return "ENOMEDIUM";
    case EMEDIUMTYPE: return "EMEDIUMTYPE";
    case ENOLINK: return "ENOLINK";
    case EHOSTDOWN: return "EHOSTDOWN";
    default: return "";  // TS falls back to util.getSystemErrorName
  }
}

void SetErr(OsError& err, int e, const char* syscall) {
  err.errnum = e;
  err.code = ErrnoName(e);
  err.syscall = syscall;
}

// sysfs attributes are space-padded (SPC-4 §6.6.2 INQUIRY strings) and newline-terminated.
std::string ReadAttr(const std::string& path) {
  std::ifstream f(path);
  if (!f) return "";
  std::string s((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  auto end = s.find_last_not_of(" \t\r\n");
  if (end == std::string::npos) return "";
  auto begin = s.find_first_not_of(" \t");
  return s.substr(begin, end - begin + 1);
}

// The single entry of a sysfs directory such as device/block/ or device/scsi_generic/.
std::string FirstEntry(const std::string& dir) {
  std::string found;
  if (DIR* d = opendir(dir.c_str())) {
    while (dirent* e = readdir(d)) {
      if (e->d_name[0] == '.') continue;
      found = e->d_name;
      break;
    }
    closedir(d);
  }
  return found;
}

// The class device of a SCSI device: device/<cls>/NAME, or the "<cls>:NAME" link that kernels
// built with CONFIG_SYSFS_DEPRECATED put directly in device/.
std::string ClassChild(const std::string& dev, const std::string& cls) {
  std::string name = FirstEntry(dev + "/" + cls);
  if (!name.empty()) return name;
  if (DIR* d = opendir(dev.c_str())) {
    const std::string prefix = cls + ":";
    while (dirent* e = readdir(d)) {
      if (std::strncmp(e->d_name, prefix.c_str(), prefix.size()) == 0) {
        name = e->d_name + prefix.size();
        break;
      }
    }
    closedir(d);
  }
  return name;
}

}  // namespace

const char* BackendName() { return "sg"; }

bool ListDrives(std::vector<DriveEntry>& out, OsError& err) {
  const std::string root = "/sys/class/scsi_device";
  DIR* d = opendir(root.c_str());
  if (!d) {
    // No SCSI midlayer loaded at all: no drives, not an error.
    if (errno == ENOENT) return true;
    SetErr(err, errno, "opendir");
    return false;
  }
  while (dirent* e = readdir(d)) {
    if (e->d_name[0] == '.') continue;
    const std::string dev = root + "/" + e->d_name + "/device";
    // SPC-4 §6.6.2 peripheral device type 05h: CD/DVD device (MMC).
    if (ReadAttr(dev + "/type") != "5") continue;
    DriveEntry entry;
    entry.busAddress = e->d_name;
    entry.vendor = ReadAttr(dev + "/vendor");
    entry.model = ReadAttr(dev + "/model");
    entry.revision = ReadAttr(dev + "/rev");
    const std::string block = ClassChild(dev, "block");
    const std::string sg = ClassChild(dev, "scsi_generic");
    if (!block.empty()) entry.blockNode = "/dev/" + block;
    if (!sg.empty()) entry.sgNode = "/dev/" + sg;
    entry.path = !entry.blockNode.empty() ? entry.blockNode : entry.sgNode;
    if (!entry.path.empty()) out.push_back(std::move(entry));
  }
  closedir(d);
  std::sort(out.begin(), out.end(), [](const DriveEntry& a, const DriveEntry& b) { return a.busAddress < b.busAddress; });
  return true;
}

bool OpenDevice(const std::string& path, bool exclusive, NativeHandle& out, OsError& err) {
  // O_NONBLOCK: sr opens without a disc and sg does not wait for other openers. O_EXCL: the sr
  // block driver refuses other exclusive openers and mounts; sg refuses any other opener (EBUSY).
  int flags = O_RDWR | O_NONBLOCK | O_CLOEXEC | (exclusive ? O_EXCL : 0);
  int fd = open(path.c_str(), flags);
  if (fd < 0) {
    SetErr(err, errno, "open");
    return false;
  }
  // Reject anything that does not speak SG_IO (a regular file, /dev/null …) at open time rather
  // than on the first command. sg and the block layer both answer SG_GET_VERSION_NUM; v3 headers
  // need >= 30000.
  int version = 0;
  if (ioctl(fd, SG_GET_VERSION_NUM, &version) < 0) {
    SetErr(err, errno, "ioctl(SG_GET_VERSION_NUM)");
    close(fd);
    return false;
  }
  if (version < 30000) {
    SetErr(err, ENOTTY, "ioctl(SG_GET_VERSION_NUM)");
    close(fd);
    return false;
  }
  out = fd;
  return true;
}

void CloseDevice(NativeHandle h) { close(static_cast<int>(h)); }

bool ExecuteCommand(NativeHandle h, const ExecRequest& req, ExecResult& res, OsError& err) {
  unsigned char sense[kSenseMax];
  std::memset(sense, 0, sizeof sense);
  sg_io_hdr_t hdr;
  std::memset(&hdr, 0, sizeof hdr);
  hdr.interface_id = 'S';
  hdr.cmdp = const_cast<unsigned char*>(req.cdb.data());
  hdr.cmd_len = static_cast<unsigned char>(req.cdb.size());
  hdr.sbp = sense;
  hdr.mx_sb_len = sizeof sense;
  hdr.timeout = req.timeoutMs;
  switch (req.direction) {
    case Direction::None: hdr.dxfer_direction = SG_DXFER_NONE; break;
    case Direction::In: hdr.dxfer_direction = SG_DXFER_FROM_DEV; break;
    case Direction::Out: hdr.dxfer_direction = SG_DXFER_TO_DEV; break;
  }
  if (req.direction != Direction::None && req.length > 0) {
    hdr.dxferp = req.data;
    hdr.dxfer_len = req.length;
  } else {
    hdr.dxfer_direction = SG_DXFER_NONE;
  }

  auto start = std::chrono::steady_clock::now();
  int rc = ioctl(static_cast<int>(h), SG_IO, &hdr);
  auto end = std::chrono::steady_clock::now();
  res.durationMs = std::chrono::duration<double, std::milli>(end - start).count();
  if (rc < 0) {
    SetErr(err, errno, "ioctl(SG_IO)");
    return false;
  }
  res.status = hdr.status;
  res.hostStatus = hdr.host_status;
  res.driverStatus = hdr.driver_status;
  res.residual = hdr.dxfer_direction == SG_DXFER_NONE ? 0 : hdr.resid;
  res.sense.assign(sense, sense + std::min<unsigned>(hdr.sb_len_wr, sizeof sense));
  return true;
}

}  // namespace gm
