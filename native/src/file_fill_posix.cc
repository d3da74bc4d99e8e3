// POSIX implementation of fillPieces (file_fill.h). Windows has no build of it: the addon does not
// export fillPieces there and the copy task uses its JavaScript path.
#include "file_fill.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmath>
#include <string>

namespace gm {

namespace {

constexpr double kSector = 2048;

// Node's Stats.mtimeMs: seconds × 1000 + nanoseconds / 1e6, in doubles, in this order (lib/internal/fs/utils.js
// msFromTimeSpec), so the comparison with the scan's mtimeMs is exact.
double MtimeMs(const struct stat& st) {
#if defined(__APPLE__)
  return static_cast<double>(st.st_mtimespec.tv_sec) * 1000 + static_cast<double>(st.st_mtimespec.tv_nsec) / 1000000;
#else
  return static_cast<double>(st.st_mtim.tv_sec) * 1000 + static_cast<double>(st.st_mtim.tv_nsec) / 1000000;
#endif
}

// The directory of the previous file, open: files arrive in scan order, ~50 to a folder on a tree
// of small files, and openat(dir, name) walks one path component where open(path) walks them all
// (six levels deep: ~6 dentry lookups saved per file). Lives for one fillPieces call.
class DirCache {
 public:
  ~DirCache() {
    if (fd_ >= 0) close(fd_);
  }
  // The descriptor to open `name` against (AT_FDCWD with the whole path when no directory could be
  // opened, e.g. one that may be searched but not read, without O_PATH).
  int For(const std::string& path, const char** name) {
    size_t slash = path.rfind('/');
    if (slash == std::string::npos) {
      *name = path.c_str();
      return AT_FDCWD;
    }
    std::string dir = slash == 0 ? std::string("/") : path.substr(0, slash);
    if (dir != dir_) {
      if (fd_ >= 0) close(fd_);
#if defined(O_PATH)
      const int flags = O_PATH | O_DIRECTORY | O_CLOEXEC;
#else
      const int flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC;
#endif
      do fd_ = open(dir.c_str(), flags); while (fd_ < 0 && errno == EINTR);
      dir_ = fd_ >= 0 ? dir : std::string();
    }
    if (fd_ < 0) {
      *name = path.c_str();
      return AT_FDCWD;
    }
    *name = path.c_str() + slash + 1;
    return fd_;
  }

 private:
  std::string dir_;
  int fd_ = -1;
};

// Reads the whole file into dst: false on any failure (including a file shorter than planned).
bool ReadPiece(DirCache& dirs, const std::string& path, uint8_t* dst, size_t size, double mtimeMs) {
  const char* name;
  int at = dirs.For(path, &name);
  int fd;
  // O_NONBLOCK: a file replaced by a FIFO since the scan must not block open(); fstat refuses it below.
  do fd = openat(at, name, O_RDONLY | O_CLOEXEC | O_NONBLOCK); while (fd < 0 && errno == EINTR);
  if (fd < 0) return false;
  struct stat st;
  bool ok = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && static_cast<size_t>(st.st_size) == size && MtimeMs(st) == mtimeMs;
  size_t got = 0;
  while (ok && got < size) {
    ssize_t n = pread(fd, dst + got, size - got, static_cast<off_t>(got));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) ok = false;
    else got += static_cast<size_t>(n);
  }
  close(fd);
  return ok;
}

}  // namespace

Napi::Value FillPieces(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 6 || !info[0].IsTypedArray() || !info[1].IsTypedArray() || !info[2].IsArray() || !info[3].IsNumber() ||
      !info[4].IsNumber() || !info[5].IsNumber())
    throw Napi::TypeError::New(env, "fillPieces(buf: Uint8Array, nums: Float64Array, hostPaths: string[], i0, i1, firstByte)");
  Napi::TypedArray bufArg = info[0].As<Napi::TypedArray>();
  Napi::TypedArray numsArg = info[1].As<Napi::TypedArray>();
  if (bufArg.TypedArrayType() != napi_uint8_array || numsArg.TypedArrayType() != napi_float64_array)
    throw Napi::TypeError::New(env, "fillPieces: buf must be a Uint8Array and nums a Float64Array");
  Napi::Uint8Array buf = bufArg.As<Napi::Uint8Array>();
  Napi::Float64Array nums = numsArg.As<Napi::Float64Array>();
  Napi::Array paths = info[2].As<Napi::Array>();
  const double i0d = info[3].As<Napi::Number>().DoubleValue();
  const double i1d = info[4].As<Napi::Number>().DoubleValue();
  const double firstByte = info[5].As<Napi::Number>().DoubleValue();
  const size_t count = nums.ElementLength() / 3;
  if (!(i0d >= 0 && i0d <= i1d && i1d <= static_cast<double>(count) && i1d <= paths.Length()) || i0d != std::floor(i0d) || i1d != std::floor(i1d))
    throw Napi::RangeError::New(env, "fillPieces: piece range out of bounds");
  uint8_t* out = buf.Data();
  const double cap = static_cast<double>(buf.ElementLength());
  const double* n = nums.Data();
  const uint32_t i0 = static_cast<uint32_t>(i0d);
  const uint32_t i1 = static_cast<uint32_t>(i1d);
  // Every piece must land inside buf, in order, before anything is read.
  double end = 0;
  for (uint32_t i = i0; i < i1; i++) {
    const double at = n[3 * i] * kSector - firstByte;
    const double size = n[3 * i + 1];
    if (!(at >= end && size >= 0 && size == std::floor(size) && at + std::ceil(size / kSector) * kSector <= cap))
      throw Napi::RangeError::New(env, "fillPieces: a piece lies outside the buffer or overlaps the previous one");
    end = at + std::ceil(size / kSector) * kSector;
  }
  size_t fill = 0;
  DirCache dirs;
  for (uint32_t i = i0; i < i1; i++) {
    const size_t at = static_cast<size_t>(n[3 * i] * kSector - firstByte);
    const size_t size = static_cast<size_t>(n[3 * i + 1]);
    const size_t padded = static_cast<size_t>(std::ceil(n[3 * i + 1] / kSector) * kSector);
    memset(out + fill, 0, at - fill);
    Napi::Value p = paths.Get(i);
    if (!p.IsString()) throw Napi::TypeError::New(env, "fillPieces: hostPaths must be strings");
    if (!ReadPiece(dirs, p.As<Napi::String>().Utf8Value(), out + at, size, n[3 * i + 2])) return Napi::Number::New(env, -1.0 - i);
    memset(out + at + size, 0, padded - size);
    fill = at + padded;
  }
  return Napi::Number::New(env, static_cast<double>(fill));
}

}  // namespace gm
