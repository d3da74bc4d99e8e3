// FlacDecoder: one FLAC stream (a whole file, or one worker's share of it) decoded by the system's
// libFLAC straight into the caller's output buffer — interleaved 16-bit CD-DA for 44.1 kHz sources
// of ≤ 16 bits, planar float (k / 2^(bits−1), exact up to 24 bits) for everything that still has to
// be resampled or dithered (src-main/audio/cd-pcm.ts). Synchronous: it runs in an audio worker
// thread, whose event loop it holds for one output buffer (a few milliseconds) at a time, so a
// cancel is seen between calls.
//
// What libFLAC reads is `head` (the 42 bytes "fLaC" + STREAMINFO, marked as the last metadata block:
// libFLAC learns the stream's format and MD5 without reading pictures or tags) followed by the file's
// bytes [from, to) — the whole audio, or one share cut at frame boundaries (flac-split.ts). Frames
// carry their own sample numbers (RFC 9639 §9.1), so a share decodes as it would in the whole stream.
//
// libFLAC is opened with dlopen when the addon loads (its headers only are needed to build): a machine
// without the library (a packaged app on a desktop without libflac12) still loads the addon — the
// transports must work there — and simply gets no FlacDecoder, so its audio workers use the WASM build.
//
// MUST rules (the typed errors are made in JavaScript from what is thrown here):
// - Any error libFLAC reports (lost sync, bad header, CRC-16 mismatch, unparseable data) stops the
//   decode, as `flac -d` stops (only its -F decodes on): thrown with kind 'flac', libFLAC's status
//   name, and the file offset of the last frame decoded intact (-1: none).
// - A read failure is thrown with kind 'io', the errno, and the file offset and length read.
// - A frame whose channels, bits or rate differ from STREAMINFO's is thrown with kind 'format'.
// - With `expected` ≥ 0 decoding stops once that many samples are out: bytes after the stream's last
//   frame (an ID3v1 tag) are never handed to libFLAC.
// - With `md5`, libFLAC checks the decoded samples against STREAMINFO's MD5 as `flac -d` does
//   (`finish()` is false on a mismatch; an all-zero MD5 means "not computed" and is not checked).
#include "flac_decode.h"

#if defined(GM_HAVE_LIBFLAC)

#include <FLAC/stream_decoder.h>
#include <dlfcn.h>
#include <errno.h>
#include <unistd.h>

#include <cstdint>
#include <cstring>
#include <string>
#include <type_traits>
#include <vector>

namespace gm {

namespace {

// The largest block a FLAC frame can hold (RFC 9639 §9.1.1: 16-bit block size − 1 … 65536).
constexpr size_t kMaxBlock = 65536;

// The libFLAC entry points used here, from the shared library found at load time. The stream
// decoder API and FLAC__FrameHeader are unchanged from libFLAC 1.3 (soname 8) to 1.5 (soname 14).
struct LibFlac {
  decltype(&FLAC__stream_decoder_new) decoder_new;
  decltype(&FLAC__stream_decoder_delete) decoder_delete;
  decltype(&FLAC__stream_decoder_set_md5_checking) set_md5_checking;
  decltype(&FLAC__stream_decoder_init_stream) init_stream;
  decltype(&FLAC__stream_decoder_process_until_end_of_metadata) process_until_end_of_metadata;
  decltype(&FLAC__stream_decoder_process_single) process_single;
  decltype(&FLAC__stream_decoder_get_state) get_state;
  decltype(&FLAC__stream_decoder_finish) finish;
  decltype(&FLAC__stream_decoder_get_decode_position) get_decode_position;
  const char* const* error_status_string;
  const char* const* state_string;
  const char* const* init_status_string;
};

// Opened once per process (every worker thread's addon instance shares it); null when absent.
const LibFlac* Lib() {
  static const LibFlac* lib = []() -> const LibFlac* {
    void* h = nullptr;
    for (const char* name : {"libFLAC.so.14", "libFLAC.so.12", "libFLAC.so.8", "libFLAC.so"}) {
      h = dlopen(name, RTLD_NOW | RTLD_LOCAL);
      if (h) break;
    }
    if (!h) return nullptr;
    static LibFlac l;
    bool ok = true;
    auto sym = [&](auto& slot, const char* name) {
      void* p = dlsym(h, name);
      if (!p) ok = false;
      slot = reinterpret_cast<std::remove_reference_t<decltype(slot)>>(p);
    };
    sym(l.decoder_new, "FLAC__stream_decoder_new");
    sym(l.decoder_delete, "FLAC__stream_decoder_delete");
    sym(l.set_md5_checking, "FLAC__stream_decoder_set_md5_checking");
    sym(l.init_stream, "FLAC__stream_decoder_init_stream");
    sym(l.process_until_end_of_metadata, "FLAC__stream_decoder_process_until_end_of_metadata");
    sym(l.process_single, "FLAC__stream_decoder_process_single");
    sym(l.get_state, "FLAC__stream_decoder_get_state");
    sym(l.finish, "FLAC__stream_decoder_finish");
    sym(l.get_decode_position, "FLAC__stream_decoder_get_decode_position");
    sym(l.error_status_string, "FLAC__StreamDecoderErrorStatusString");
    sym(l.state_string, "FLAC__StreamDecoderStateString");
    sym(l.init_status_string, "FLAC__StreamDecoderInitStatusString");
    if (!ok) {
      dlclose(h);
      return nullptr;
    }
    return &l;
  }();
  return lib;
}

class FlacDecoder : public Napi::ObjectWrap<FlacDecoder> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "FlacDecoder",
                       {
                           InstanceMethod("read", &FlacDecoder::Read),
                           InstanceMethod("finish", &FlacDecoder::Finish),
                           InstanceMethod("close", &FlacDecoder::Close),
                           InstanceAccessor("samples", &FlacDecoder::Samples, nullptr),
                       });
  }

  // new FlacDecoder(fd, head: Uint8Array, from, to, { float, md5, expected })
  explicit FlacDecoder(const Napi::CallbackInfo& info) : Napi::ObjectWrap<FlacDecoder>(info) {
    Napi::Env env = info.Env();
    if (info.Length() < 5 || !info[0].IsNumber() || !info[1].IsTypedArray() || !info[2].IsNumber() || !info[3].IsNumber() || !info[4].IsObject())
      throw Napi::TypeError::New(env, "new FlacDecoder(fd: number, head: Uint8Array, from: number, to: number, options: object)");
    Napi::TypedArray headArg = info[1].As<Napi::TypedArray>();
    if (headArg.TypedArrayType() != napi_uint8_array) throw Napi::TypeError::New(env, "FlacDecoder: head must be a Uint8Array");
    Napi::Uint8Array head = headArg.As<Napi::Uint8Array>();
    head_.assign(head.Data(), head.Data() + head.ElementLength());
    fd_ = info[0].As<Napi::Number>().Int32Value();
    const double from = info[2].As<Napi::Number>().DoubleValue();
    const double to = info[3].As<Napi::Number>().DoubleValue();
    if (!(from >= 0 && to >= from && to <= 9007199254740991.0)) throw Napi::RangeError::New(env, "FlacDecoder: from/to out of range");
    from_ = static_cast<uint64_t>(from);
    to_ = static_cast<uint64_t>(to);
    Napi::Object o = info[4].As<Napi::Object>();
    float_ = o.Get("float").ToBoolean();
    const bool md5 = o.Get("md5").ToBoolean();
    const double expected = o.Get("expected").ToNumber().DoubleValue();
    expected_ = expected >= 0 ? static_cast<int64_t>(expected) : -1;

    dec_ = lib_->decoder_new();
    if (!dec_) throw Napi::Error::New(env, "FlacDecoder: out of memory");
    lib_->set_md5_checking(dec_, md5);
    FLAC__StreamDecoderInitStatus st = lib_->init_stream(dec_, ReadCb, nullptr, TellCb, nullptr, EofCb, WriteCb, MetadataCb, ErrorCb, this);
    if (st != FLAC__STREAM_DECODER_INIT_STATUS_OK) {
      std::string what = lib_->init_status_string[st];
      Release();
      throw Napi::Error::New(env, "FlacDecoder: libFLAC init failed: " + what);
    }
    if (!lib_->process_until_end_of_metadata(dec_) || !haveInfo_) Fail(env);
    // The frames start right after `head`: the decode position of a frame is mapped to the file from there.
    prevEnd_ = head_.size();
  }

  ~FlacDecoder() override { Release(); }

 private:
  // read(out: Int16Array | Float32Array) → frames written (0: the stream is over). Int16Array:
  // interleaved stereo. Float32Array: planar, left in [0, n), right in [n, 2n), n = length / 2.
  Napi::Value Read(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!dec_) throw Napi::Error::New(env, "FlacDecoder: closed");
    if (info.Length() < 1 || !info[0].IsTypedArray()) throw Napi::TypeError::New(env, "read(out: Int16Array | Float32Array)");
    Napi::TypedArray out = info[0].As<Napi::TypedArray>();
    const napi_typedarray_type want = float_ ? napi_float32_array : napi_int16_array;
    if (out.TypedArrayType() != want) throw Napi::TypeError::New(env, float_ ? "read: out must be a Float32Array" : "read: out must be an Int16Array");
    out_ = static_cast<uint8_t*>(out.ArrayBuffer().Data()) + out.ByteOffset();
    cap_ = out.ElementLength() / 2;
    used_ = 0;
    while (!done_ && cap_ - used_ >= kMaxBlock) {
      if (expected_ >= 0 && static_cast<int64_t>(samples_) >= expected_) {
        done_ = true;
        break;
      }
      writes_ = 0;
      const int64_t lastIntact = lastStart_;
      const bool ok = lib_->process_single(dec_);
      // The silence written for missing frames is not a frame of the file: the error names the last real one.
      if (missing_) lastStart_ = lastIntact;
      if (!ok || error_ || missing_ || lib_->get_state(dec_) == FLAC__STREAM_DECODER_ABORTED) Fail(env);
      if (lib_->get_state(dec_) == FLAC__STREAM_DECODER_END_OF_STREAM) done_ = true;
    }
    out_ = nullptr;
    return Napi::Number::New(env, static_cast<double>(used_));
  }

  // finish() → false when libFLAC's MD5 of the decoded samples differs from STREAMINFO's.
  Napi::Value Finish(const Napi::CallbackInfo& info) {
    if (!dec_) throw Napi::Error::New(info.Env(), "FlacDecoder: closed");
    const bool ok = lib_->finish(dec_);
    Release();
    return Napi::Boolean::New(info.Env(), ok);
  }

  Napi::Value Close(const Napi::CallbackInfo& info) {
    Release();
    return info.Env().Undefined();
  }

  Napi::Value Samples(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), static_cast<double>(samples_)); }

  void Release() {
    if (dec_) lib_->decoder_delete(dec_);
    dec_ = nullptr;
  }

  // File offset of a position in the stream libFLAC reads (head, then the file from `from_`).
  double FileOffset(uint64_t v) const { return v < head_.size() ? 0 : static_cast<double>(from_ + (v - head_.size())); }

  [[noreturn]] void Fail(Napi::Env env) {
    Napi::Error e = Napi::Error::New(env, "FlacDecoder: decode failed");
    Napi::Object o = e.Value();
    if (ioErrno_) {
      o.Set("kind", "io");
      o.Set("errno", ioErrno_);
      o.Set("position", static_cast<double>(ioPosition_));
      o.Set("length", static_cast<double>(ioLength_));
    } else if (!format_.empty()) {
      o.Set("kind", "format");
      o.Set("what", format_);
    } else {
      o.Set("kind", "flac");
      o.Set("status", error_ ? std::string(lib_->error_status_string[status_]) : missing_ ? std::string("MISSING_FRAME") : std::string(lib_->state_string[lib_->get_state(dec_)]));
    }
    o.Set("lastFrame", lastStart_ < 0 ? -1.0 : FileOffset(static_cast<uint64_t>(lastStart_)));
    Release();
    throw e;
  }

  static FLAC__StreamDecoderReadStatus ReadCb(const FLAC__StreamDecoder*, FLAC__byte buffer[], size_t* bytes, void* data) {
    auto* self = static_cast<FlacDecoder*>(data);
    size_t want = *bytes;
    size_t got = 0;
    // The head first, then the file from `from_`.
    if (self->pos_ < self->head_.size()) {
      got = std::min(want, self->head_.size() - static_cast<size_t>(self->pos_));
      memcpy(buffer, self->head_.data() + self->pos_, got);
      self->pos_ += got;
    }
    while (got < want) {
      const uint64_t at = self->from_ + (self->pos_ - self->head_.size());
      if (at >= self->to_) break;
      const size_t n = static_cast<size_t>(std::min<uint64_t>(want - got, self->to_ - at));
      ssize_t r = pread(self->fd_, buffer + got, n, static_cast<off_t>(at));
      if (r < 0 && errno == EINTR) continue;
      if (r < 0) {
        self->ioErrno_ = errno;
        self->ioPosition_ = at;
        self->ioLength_ = n;
        *bytes = 0;
        return FLAC__STREAM_DECODER_READ_STATUS_ABORT;
      }
      if (r == 0) {
        self->to_ = at;  // the file is shorter than it was: it ends here
        break;
      }
      got += static_cast<size_t>(r);
      self->pos_ += static_cast<uint64_t>(r);
    }
    *bytes = got;
    return got == 0 ? FLAC__STREAM_DECODER_READ_STATUS_END_OF_STREAM : FLAC__STREAM_DECODER_READ_STATUS_CONTINUE;
  }

  static FLAC__StreamDecoderTellStatus TellCb(const FLAC__StreamDecoder*, FLAC__uint64* offset, void* data) {
    *offset = static_cast<FlacDecoder*>(data)->pos_;
    return FLAC__STREAM_DECODER_TELL_STATUS_OK;
  }

  static FLAC__bool EofCb(const FLAC__StreamDecoder*, void* data) {
    auto* self = static_cast<FlacDecoder*>(data);
    return self->pos_ >= self->head_.size() && self->from_ + (self->pos_ - self->head_.size()) >= self->to_;
  }

  static void MetadataCb(const FLAC__StreamDecoder*, const FLAC__StreamMetadata* m, void* data) {
    auto* self = static_cast<FlacDecoder*>(data);
    if (m->type != FLAC__METADATA_TYPE_STREAMINFO) return;
    self->haveInfo_ = true;
    self->channels_ = m->data.stream_info.channels;
    self->bits_ = m->data.stream_info.bits_per_sample;
    self->rate_ = m->data.stream_info.sample_rate;
  }

  static void ErrorCb(const FLAC__StreamDecoder*, FLAC__StreamDecoderErrorStatus status, void* data) {
    auto* self = static_cast<FlacDecoder*>(data);
    if (self->error_) return;
    self->error_ = true;
    self->status_ = status;
  }

  static FLAC__StreamDecoderWriteStatus WriteCb(const FLAC__StreamDecoder* d, const FLAC__Frame* frame, const FLAC__int32* const buffer[], void* data) {
    auto* self = static_cast<FlacDecoder*>(data);
    // A frame libFLAC reported an error for (it would hand out silence): stop, as flac -d does.
    if (self->error_ || !self->out_) return FLAC__STREAM_DECODER_WRITE_STATUS_ABORT;
    // One process_single decodes one frame. libFLAC 1.4 meets a jump in frame numbers (frames cut
    // out of the file) by handing out up to 50 frames of silence first, in the same call and without
    // calling the error callback (1.5 reports MISSING_FRAME): a second frame in one call is that
    // silence. Stop at it, before it counts as audio (the total would still match STREAMINFO).
    if (++self->writes_ > 1) {
      self->missing_ = true;
      return FLAC__STREAM_DECODER_WRITE_STATUS_ABORT;
    }
    const FLAC__FrameHeader& h = frame->header;
    if (h.channels != self->channels_ || h.bits_per_sample != self->bits_ || h.sample_rate != self->rate_) {
      self->format_ = "a frame of " + std::to_string(h.channels) + " channels, " + std::to_string(h.bits_per_sample) + " bits, " + std::to_string(h.sample_rate) +
                      " Hz in a stream of " + std::to_string(self->channels_) + " channels, " + std::to_string(self->bits_) + " bits, " + std::to_string(self->rate_) + " Hz";
      return FLAC__STREAM_DECODER_WRITE_STATUS_ABORT;
    }
    if (self->channels_ > 2 || h.blocksize > self->cap_ - self->used_) {
      self->format_ = self->channels_ > 2 ? std::to_string(self->channels_) + " channels" : "a frame larger than the output buffer";
      return FLAC__STREAM_DECODER_WRITE_STATUS_ABORT;
    }
    const size_t n = h.blocksize;
    const FLAC__int32* l = buffer[0];
    const FLAC__int32* r = h.channels > 1 ? buffer[1] : buffer[0];
    if (self->float_) {
      auto* o = reinterpret_cast<float*>(self->out_);
      float* ol = o + self->used_;
      float* orr = o + self->cap_ + self->used_;
      // k / 2^(bits−1): exact in float32 up to 24 bits (cd-pcm.ts scales back by the same power of two).
      const float scale = 1.0f / static_cast<float>(1u << (self->bits_ - 1));
      for (size_t i = 0; i < n; i++) {
        ol[i] = static_cast<float>(l[i]) * scale;
        orr[i] = static_cast<float>(r[i]) * scale;
      }
    } else {
      // ≤ 16 bits at 44.1 kHz: k · 2^(16−bits), the CD-DA sample itself (bit-identical to flac -d at 16 bits).
      auto* o = reinterpret_cast<int16_t*>(self->out_) + 2 * self->used_;
      const unsigned shift = 16 - self->bits_;
      if (shift == 0) {
        for (size_t i = 0; i < n; i++) {
          o[2 * i] = static_cast<int16_t>(l[i]);
          o[2 * i + 1] = static_cast<int16_t>(r[i]);
        }
      } else {
        for (size_t i = 0; i < n; i++) {
          o[2 * i] = static_cast<int16_t>(static_cast<uint32_t>(l[i]) << shift);
          o[2 * i + 1] = static_cast<int16_t>(static_cast<uint32_t>(r[i]) << shift);
        }
      }
    }
    self->used_ += n;
    self->samples_ += n;
    // Where this frame began (the end of the one before), and where it ends: for the error offsets.
    self->lastStart_ = static_cast<int64_t>(self->prevEnd_);
    FLAC__uint64 end = 0;
    if (self->lib_->get_decode_position(d, &end)) self->prevEnd_ = end;
    return FLAC__STREAM_DECODER_WRITE_STATUS_CONTINUE;
  }

  const LibFlac* lib_ = Lib();
  FLAC__StreamDecoder* dec_ = nullptr;
  std::vector<uint8_t> head_;
  int fd_ = -1;
  uint64_t from_ = 0;
  uint64_t to_ = 0;
  /** Bytes of the stream (head + file range) handed to libFLAC so far. */
  uint64_t pos_ = 0;
  bool float_ = false;
  int64_t expected_ = -1;
  bool done_ = false;

  bool haveInfo_ = false;
  /** Frames written during the current process_single call; more than one means frames were missing. */
  unsigned writes_ = 0;
  bool missing_ = false;
  unsigned channels_ = 0;
  unsigned bits_ = 0;
  unsigned rate_ = 0;

  uint8_t* out_ = nullptr;
  size_t cap_ = 0;
  size_t used_ = 0;
  uint64_t samples_ = 0;

  uint64_t prevEnd_ = 0;
  int64_t lastStart_ = -1;

  bool error_ = false;
  FLAC__StreamDecoderErrorStatus status_ = FLAC__STREAM_DECODER_ERROR_STATUS_LOST_SYNC;
  int ioErrno_ = 0;
  uint64_t ioPosition_ = 0;
  size_t ioLength_ = 0;
  std::string format_;
};

}  // namespace

void RegisterFlacDecoder(Napi::Env env, Napi::Object exports) {
  if (Lib()) exports.Set("FlacDecoder", FlacDecoder::Define(env));
}

}  // namespace gm

#else

namespace gm {

void RegisterFlacDecoder(Napi::Env, Napi::Object) {}

}  // namespace gm

#endif
