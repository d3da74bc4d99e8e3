// POSIX implementation of scanDir (dir_scan.h). Windows has no build of it: the addon does not
// export scanDir there and the staging tree reads directories in JavaScript.
#include "dir_scan.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <string>
#include <vector>

namespace gm {

namespace {

// Node's Stats.*timeMs: seconds × 1000 + nanoseconds / 1e6 in doubles, in this order
// (lib/internal/fs/utils.js msFromTimeSpec), so a value equals what fs.lstatSync reports.
double Ms(const struct timespec& t) {
  return static_cast<double>(t.tv_sec) * 1000 + static_cast<double>(t.tv_nsec) / 1000000;
}

#if defined(__APPLE__)
#define GM_MTIM st_mtimespec
#define GM_CTIM st_ctimespec
#else
#define GM_MTIM st_mtim
#define GM_CTIM st_ctim
#endif

// Well-formed UTF-8 (RFC 3629: no overlong forms, no surrogates, nothing past U+10FFFF): what
// TextDecoder('utf-8', { fatal: true }) accepts.
bool ValidUtf8(const std::string& s) {
  const unsigned char* p = reinterpret_cast<const unsigned char*>(s.data());
  const unsigned char* end = p + s.size();
  while (p < end) {
    unsigned c = *p;
    if (c < 0x80) {
      p++;
      continue;
    }
    int more;
    unsigned lo = 0x80, hi = 0xbf;
    if (c >= 0xc2 && c <= 0xdf) {
      more = 1;
    } else if (c >= 0xe0 && c <= 0xef) {
      more = 2;
      if (c == 0xe0) lo = 0xa0;
      if (c == 0xed) hi = 0x9f;
    } else if (c >= 0xf0 && c <= 0xf4) {
      more = 3;
      if (c == 0xf0) lo = 0x90;
      if (c == 0xf4) hi = 0x8f;
    } else {
      return false;
    }
    if (end - p <= more) return false;
    if (p[1] < lo || p[1] > hi) return false;
    for (int k = 2; k <= more; k++)
      if (p[k] < 0x80 || p[k] > 0xbf) return false;
    p += more + 1;
  }
  return true;
}

struct DirCloser {
  DIR* d;
  ~DirCloser() {
    if (d) closedir(d);
  }
};

}  // namespace

bool ReadDirectory(const std::string& dirPath, bool follow, std::vector<std::string>& names, std::vector<double>& nums) {
  names.clear();
  nums.clear();
  if (dirPath.empty() || dirPath.find('\0') != std::string::npos) return false;
  int fd;
  do fd = open(dirPath.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC); while (fd < 0 && errno == EINTR);
  if (fd < 0) return false;
  DirCloser dir{fdopendir(fd)};
  if (!dir.d) {
    close(fd);
    return false;
  }
  for (;;) {
    errno = 0;
    struct dirent* e = readdir(dir.d);
    if (!e) {
      if (errno != 0) return false;
      break;
    }
    const char* n = e->d_name;
    if (n[0] == '.' && (n[1] == '\0' || (n[1] == '.' && n[2] == '\0'))) continue;
    names.emplace_back(n);
    if (!ValidUtf8(names.back())) return false;
  }
  // Byte order is code point order for UTF-8 (the JavaScript path's compareCodePoints).
  std::sort(names.begin(), names.end());
  const size_t count = names.size();
  nums.resize(count * kScanFields);
  const int flags = follow ? 0 : AT_SYMLINK_NOFOLLOW;
  const int dfd = dirfd(dir.d);
  for (size_t i = 0; i < count; i++) {
    double* o = nums.data() + i * kScanFields;
    struct stat st;
    int r;
    do r = fstatat(dfd, names[i].c_str(), &st, flags); while (r != 0 && errno == EINTR);
    if (r != 0) {
      o[0] = -1;
      for (int k = 1; k < kScanFields; k++) o[k] = 0;
    } else {
      o[0] = static_cast<double>(st.st_mode);
      o[1] = static_cast<double>(st.st_size);
      o[2] = static_cast<double>(st.st_uid);
      o[3] = static_cast<double>(st.st_gid);
      o[4] = Ms(st.GM_MTIM);
      o[5] = Ms(st.GM_CTIM);
      o[6] = static_cast<double>(st.st_dev);
      o[7] = static_cast<double>(st.st_ino);
    }
  }
  return true;
}

Napi::Value PackDirectory(Napi::Env env, const std::vector<std::string>& names, const std::vector<double>& nums) {
  const size_t count = names.size();
  Napi::Float64Array jsNums = Napi::Float64Array::New(env, count * kScanFields);
  if (count > 0) memcpy(jsNums.Data(), nums.data(), count * kScanFields * sizeof(double));
  // The names as one string, each ended by a NUL (no name holds one): one string to create here
  // instead of one per name, set one by one into an array (~1.3 us a name, ~65 ms of the image
  // worker's time on 50,000 files); the caller splits it (String.prototype.split, in V8's C++).
  size_t bytes = 0;
  for (const std::string& n : names) bytes += n.size() + 1;
  std::string joined;
  joined.reserve(bytes);
  for (const std::string& n : names) {
    joined += n;
    joined += '\0';
  }
  Napi::Object result = Napi::Object::New(env);
  result.Set("names", Napi::String::New(env, joined));
  result.Set("nums", jsNums);
  return result;
}

Napi::Value ScanDir(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 2 || !info[0].IsString() || !info[1].IsBoolean())
    throw Napi::TypeError::New(env, "scanDir(dirPath: string, followSymlinks: boolean)");
  const std::string dirPath = info[0].As<Napi::String>().Utf8Value();
  const bool follow = info[1].As<Napi::Boolean>().Value();
  std::vector<std::string> names;
  std::vector<double> nums;
  if (!ReadDirectory(dirPath, follow, names, nums)) return env.Null();
  return PackDirectory(env, names, nums);
}

}  // namespace gm
