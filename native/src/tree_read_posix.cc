// TreeReader: the image scanner's directories read ahead, on a thread of the addon's own.
//
// The scanner (src-main/image/staging/staging-tree.ts) walks a host folder depth first, folders in
// byte order, and for each folder calls scanDir and then builds its nodes in JavaScript. Both are
// on one thread, so the readdir/fstatat time (about half the scan of 50,000 small files) and the
// node building add up. Here a thread walks the same tree in the same order, as far as a bounded
// queue lets it, while JavaScript builds the nodes of folders it has already read.
//
//   new TreeReader(rootPath: string)   starts the walk at rootPath (links are not followed: a walk
//                                      that follows them needs the scanner's loop check)
//   take(dirPath: string)              ScanDir(dirPath, false)'s answer, read ahead: waits until
//                                      the walk reaches dirPath. null when the walk will not reach
//                                      it (the scanner left a folder out, or the tree changed under
//                                      the walk, or the folder could not be read): the caller
//                                      then reads that folder itself, which words any error.
//   close()                            stops the walk and joins its thread (also on collection).
//
// Order: the walk visits folders in preorder with children in byte order, which is the order of
// their paths compared byte by byte with the separator below every other byte (a folder's own
// path is a prefix of its descendants'; "a/b" comes before "a-c"). take() drops queued folders
// that come before the one asked for (folders the scanner skipped) and answers null as soon as
// the queue's head comes after it.
#include <napi.h>
#include <string.h>
#include <sys/stat.h>

#include <condition_variable>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "dir_scan.h"

namespace gm {

namespace {

// Read-ahead bounds: folders and entries waiting in the queue (a few MB at most).
constexpr size_t kMaxQueuedDirs = 256;
constexpr size_t kMaxQueuedEntries = 32768;

struct ReadFolder {
  std::string path;
  bool ok = false;
  std::vector<std::string> names;
  std::vector<double> nums;
};

// Preorder: true when a comes before b ('/' below every other byte, a prefix first).
bool WalkedBefore(const std::string& a, const std::string& b) {
  const size_t n = a.size() < b.size() ? a.size() : b.size();
  for (size_t i = 0; i < n; i++) {
    unsigned ca = static_cast<unsigned char>(a[i]);
    unsigned cb = static_cast<unsigned char>(b[i]);
    if (ca == cb) continue;
    ca = ca == '/' ? 0 : ca + 1;
    cb = cb == '/' ? 0 : cb + 1;
    return ca < cb;
  }
  return a.size() < b.size();
}

std::string ChildPath(const std::string& dir, const std::string& name) {
  return !dir.empty() && dir.back() == '/' ? dir + name : dir + "/" + name;
}

}  // namespace

class TreeReader : public Napi::ObjectWrap<TreeReader> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "TreeReader", {InstanceMethod("take", &TreeReader::Take), InstanceMethod("close", &TreeReader::Close)});
  }

  explicit TreeReader(const Napi::CallbackInfo& info) : Napi::ObjectWrap<TreeReader>(info) {
    if (info.Length() < 1 || !info[0].IsString()) throw Napi::TypeError::New(info.Env(), "new TreeReader(rootPath: string)");
    std::string root = info[0].As<Napi::String>().Utf8Value();
    try {
      thread_ = std::thread([this, root] { Walk(root); });
    } catch (const std::exception& e) {
      // No thread (a process at its limit): the caller reads the folders itself.
      throw Napi::Error::New(info.Env(), std::string("TreeReader: cannot start its thread: ") + e.what());
    }
  }

  ~TreeReader() override { Stop(); }

 private:
  // The walk's thread: preorder, children in byte order, held back while the queue is full. Out of
  // memory it ends the walk (take() then answers null and the scanner reads on by itself) instead
  // of letting the exception end the process.
  void Walk(const std::string& root) {
    try {
      WalkFrom(root);
    } catch (const std::exception&) {
      std::lock_guard<std::mutex> lock(mu_);
      done_ = true;
      ready_.notify_one();
    }
  }

  void WalkFrom(const std::string& root) {
    std::vector<std::string> pending{root};
    while (!pending.empty()) {
      ReadFolder f;
      f.path = std::move(pending.back());
      pending.pop_back();
      f.ok = ReadDirectory(f.path, false, f.names, f.nums);
      if (f.ok) {
        // Pushed last to first, so the first child is read next.
        for (size_t i = f.names.size(); i-- > 0;) {
          const double mode = f.nums[i * kScanFields];
          if (mode >= 0 && S_ISDIR(static_cast<mode_t>(mode))) pending.push_back(ChildPath(f.path, f.names[i]));
        }
      }
      std::unique_lock<std::mutex> lock(mu_);
      room_.wait(lock, [this] { return stop_ || (queue_.size() < kMaxQueuedDirs && queuedEntries_ < kMaxQueuedEntries); });
      if (stop_) return;
      queuedEntries_ += f.names.size();
      queue_.push_back(std::move(f));
      ready_.notify_one();
    }
    std::lock_guard<std::mutex> lock(mu_);
    done_ = true;
    ready_.notify_one();
  }

  Napi::Value Take(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (info.Length() < 1 || !info[0].IsString()) throw Napi::TypeError::New(env, "take(dirPath: string)");
    const std::string want = info[0].As<Napi::String>().Utf8Value();
    ReadFolder got;
    {
      std::unique_lock<std::mutex> lock(mu_);
      for (;;) {
        while (!queue_.empty() && WalkedBefore(queue_.front().path, want)) Pop();
        if (!queue_.empty()) {
          if (queue_.front().path != want) return env.Null();
          queuedEntries_ -= queue_.front().names.size();
          got = std::move(queue_.front());
          queue_.pop_front();
          room_.notify_one();
          break;
        }
        if (done_ || stop_) return env.Null();
        ready_.wait(lock);
      }
    }
    if (!got.ok) return env.Null();
    return PackDirectory(env, got.names, got.nums);
  }

  Napi::Value Close(const Napi::CallbackInfo& info) {
    Stop();
    return info.Env().Undefined();
  }

  // Under mu_.
  void Pop() {
    queuedEntries_ -= queue_.front().names.size();
    queue_.pop_front();
    room_.notify_one();
  }

  void Stop() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
      queue_.clear();
      queuedEntries_ = 0;
    }
    room_.notify_all();
    ready_.notify_all();
    if (thread_.joinable()) thread_.join();
  }

  std::mutex mu_;
  std::condition_variable ready_;  // the queue gained a folder, or the walk ended
  std::condition_variable room_;   // the queue has room, or stop
  std::deque<ReadFolder> queue_;
  size_t queuedEntries_ = 0;
  bool done_ = false;
  bool stop_ = false;
  std::thread thread_;
};

Napi::Function DefineTreeReader(Napi::Env env) { return TreeReader::Define(env); }

}  // namespace gm
