#include "models/dram/dram_trace.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "config/errors.hpp"

namespace h2sim {

namespace {

// Read block. A line may not be longer than this (no request line comes near it).
constexpr size_t kBlockBytes = size_t(1) << 20;
// Latest request time a timed trace may give: 1e18 ps (11.6 days) keeps every later sum of
// timings far from int64 overflow (the engine's "never" is INT64_MAX / 4 = 2.3e18 ps).
constexpr int64_t kMaxTraceTimePs = 1000000000000000000;

bool is_space(char c) { return c == ' ' || c == '\t'; }

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// A short, printable rendering of a token for messages.
std::string shown(const char* b, const char* e) {
  std::string s(b, size_t(e - b));
  if (s.size() > 40) s = s.substr(0, 37) + "...";
  return s;
}

struct Token {
  const char* b = nullptr;
  const char* e = nullptr;
  bool empty() const { return b == e; }
  size_t size() const { return size_t(e - b); }
  bool is(const char* lit) const {
    size_t n = std::strlen(lit);
    return size() == n && std::memcmp(b, lit, n) == 0;
  }
};

}  // namespace

TraceFormat parse_trace_format(const std::string& name, const std::string& flag) {
  if (name == "auto") return TraceFormat::detect;
  if (name == "loadstore") return TraceFormat::load_store;
  if (name == "timed") return TraceFormat::timed;
  throw InputError(fmt::format("{}: unknown trace format '{}' (valid: auto, loadstore, timed)", flag, name));
}

std::string to_string(TraceFormat f) {
  switch (f) {
    case TraceFormat::detect: return "auto";
    case TraceFormat::load_store: return "loadstore";
    case TraceFormat::timed: return "timed";
  }
  return "?";
}

TraceFileSource::TraceFileSource(const std::string& path, TraceFormat format, int64_t capacity_bytes,
                                 int64_t tck_ps, int64_t burst_bytes)
    : path_(path), format_(format), capacity_(capacity_bytes), tck_ps_(tck_ps), burst_bytes_(burst_bytes) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    throw InputError(fmt::format("--trace {}: is a folder, not a trace file", path));
  }
  file_ = std::fopen(path.c_str(), "rb");
  if (!file_) throw InputError(fmt::format("--trace {}: cannot open ({})", path, std::strerror(errno)));
  buf_.resize(kBlockBytes);
}

TraceFileSource::~TraceFileSource() {
  if (file_) std::fclose(file_);
}

void TraceFileSource::fail(const std::string& what) const {
  throw InputError(fmt::format("{}:{}: {}", path_, line_, what));
}

bool TraceFileSource::next_line(const char*& begin, const char*& end) {
  for (;;) {
    const char* p = buf_.data() + pos_;
    const void* nl = std::memchr(p, '\n', len_ - pos_);
    if (nl) {
      begin = p;
      end = static_cast<const char*>(nl);
      pos_ = size_t(end - buf_.data()) + 1;
      ++line_;
      return true;
    }
    if (eof_) {
      if (pos_ == len_) return false;
      begin = p;  // a last line without a newline
      end = buf_.data() + len_;
      pos_ = len_;
      ++line_;
      return true;
    }
    // Keep the partial line, refill behind it.
    const size_t rest = len_ - pos_;
    if (rest == buf_.size()) {
      ++line_;
      fail(fmt::format("line longer than {} bytes: not a request trace", buf_.size()));
    }
    std::memmove(buf_.data(), buf_.data() + pos_, rest);
    pos_ = 0;
    len_ = rest;
    const size_t got = std::fread(buf_.data() + len_, 1, buf_.size() - len_, file_);
    len_ += got;
    if (got == 0) {
      if (std::ferror(file_)) {
        throw InputError(fmt::format("{}: read error after line {} ({})", path_, line_, std::strerror(errno)));
      }
      eof_ = true;
    }
  }
}

bool TraceFileSource::parse_line(const char* p, const char* end, ExternalRequest& out) {
  if (end > p && end[-1] == '\r') --end;  // CRLF files
  for (const char* q = p; q < end; ++q) {
    const unsigned char c = static_cast<unsigned char>(*q);
    if ((c < 0x20 && c != '\t') || c >= 0x7f) {
      fail(fmt::format("byte 0x{:02X} at column {}: binary data, not a text trace", unsigned(c), q - p + 1));
    }
  }
  while (p < end && is_space(*p)) ++p;
  if (p == end || *p == '#') return false;

  Token tok[6];
  int n = 0;
  while (p < end) {
    if (n == 6) fail("too many fields (a request line is `LD|ST <addr>` or `<cycle> R|W <addr> [<data>]`)");
    tok[n].b = p;
    while (p < end && !is_space(*p)) ++p;
    tok[n++].e = p;
    while (p < end && is_space(*p)) ++p;
  }

  if (format_ == TraceFormat::detect) {
    const char c = *tok[0].b;
    if (c >= '0' && c <= '9') {
      format_ = TraceFormat::timed;
    } else if (tok[0].is("LD") || tok[0].is("ST")) {
      format_ = TraceFormat::load_store;
    } else {
      fail(fmt::format("unknown request '{}' (valid: LD or ST <addr> for a load/store trace, or "
                       "<cycle> R|W <addr> for a timed trace)",
                       shown(tok[0].b, tok[0].e)));
    }
  }

  // Address parsing: hex (with or without 0x when `hex_only`) or decimal.
  auto address = [&](const Token& t, bool hex_only) -> int64_t {
    const char* q = t.b;
    bool hex = hex_only;
    if (t.size() > 2 && q[0] == '0' && (q[1] == 'x' || q[1] == 'X')) {
      hex = true;
      q += 2;
    }
    if (q == t.e) fail(fmt::format("address '{}' has no digits", shown(t.b, t.e)));
    uint64_t v = 0;
    bool big = false;
    for (; q < t.e; ++q) {
      int d = hex ? hex_digit(*q) : (*q >= '0' && *q <= '9' ? *q - '0' : -1);
      if (d < 0) {
        fail(fmt::format("address '{}' is not a {} number", shown(t.b, t.e),
                         hex ? "hexadecimal" : "decimal (or 0x hexadecimal)"));
      }
      if (v > (UINT64_MAX >> 4)) big = true;
      v = v * (hex ? 16 : 10) + uint64_t(d);
    }
    if (big || v >= uint64_t(capacity_)) {
      fail(fmt::format("address {} is beyond the channel's {} B (valid: 0 to {:#x})", shown(t.b, t.e), capacity_,
                       capacity_ - 1));
    }
    return int64_t(v);
  };

  if (format_ == TraceFormat::load_store) {
    if (n != 2) fail(fmt::format("expected `LD <addr>` or `ST <addr>`, found {} fields", n));
    if (tok[0].is("LD")) {
      out.kind = DramAccess::read;
    } else if (tok[0].is("ST")) {
      out.kind = DramAccess::write;
    } else {
      fail(fmt::format("unknown opcode '{}' in a load/store trace (valid: LD, ST)", shown(tok[0].b, tok[0].e)));
    }
    out.address = address(tok[1], false);
    out.arrival_ps = 0;
  } else {
    // <cycle>[:] [(<bytes>)] R|W|read|write <addr> [<data>]
    const Token& c = tok[0];
    const char* q = c.b;
    const char* ce = c.e;
    if (ce > q && ce[-1] == ':') --ce;
    if (q == ce) fail(fmt::format("'{}' is not a cycle number", shown(c.b, c.e)));
    int64_t cycle = 0;
    for (; q < ce; ++q) {
      if (*q < '0' || *q > '9') {
        fail(fmt::format("'{}' is not a cycle number (a timed trace line is `<cycle> R|W <addr>`)",
                         shown(c.b, c.e)));
      }
      cycle = cycle * 10 + (*q - '0');
      if (cycle > kMaxTraceTimePs / tck_ps_) {
        fail(fmt::format("cycle {} is beyond the {} CK a trace may span", shown(c.b, c.e), kMaxTraceTimePs / tck_ps_));
      }
    }
    if (cycle < last_cycle_) {
      fail(fmt::format("cycle {} is before the previous request's cycle {}: time may not go backwards", cycle,
                       last_cycle_));
    }
    int i = 1;
    if (i < n && *tok[i].b == '(') {
      const Token& l = tok[i];
      const char* r = l.b + 1;
      int64_t bytes = 0;
      for (; r < l.e && *r >= '0' && *r <= '9'; ++r) bytes = bytes < 1000000 ? bytes * 10 + (*r - '0') : bytes;
      if (r == l.b + 1 || r + 1 != l.e || *r != ')') fail(fmt::format("'{}' is not a length like (32)", shown(l.b, l.e)));
      if (bytes != burst_bytes_) {
        fail(fmt::format("request length {} B: each request is one {} B burst (give ({}) or no length)", bytes,
                         burst_bytes_, burst_bytes_));
      }
      ++i;
    }
    if (i >= n) fail("missing the command (R, W, read or write) and the address");
    const Token& cmd = tok[i];
    if (cmd.is("R") || cmd.is("read")) {
      out.kind = DramAccess::read;
    } else if (cmd.is("W") || cmd.is("write")) {
      out.kind = DramAccess::write;
    } else {
      fail(fmt::format("unknown command '{}' in a timed trace (valid: R, W, read, write)", shown(cmd.b, cmd.e)));
    }
    ++i;
    if (i >= n) fail("missing the address after the command");
    out.address = address(tok[i], true);
    ++i;
    if (i < n) {  // DRAMSys' write data: hex digits, accepted and ignored
      const Token& d = tok[i];
      const char* r = d.b;
      if (d.size() > 2 && r[0] == '0' && (r[1] == 'x' || r[1] == 'X')) r += 2;
      for (; r < d.e; ++r) {
        if (hex_digit(*r) < 0) fail(fmt::format("unexpected field '{}' after the address (only write data in hex may follow)", shown(d.b, d.e)));
      }
      if (out.kind == DramAccess::read) fail("a read carries no data field");
      if (i + 1 < n) fail(fmt::format("unexpected field '{}' after the data", shown(tok[i + 1].b, tok[i + 1].e)));
    }
    last_cycle_ = cycle;
    out.arrival_ps = cycle * tck_ps_;
  }
  if (out.kind == DramAccess::read) {
    ++reads_;
  } else {
    ++writes_;
  }
  return true;
}

bool TraceFileSource::next(ExternalRequest& out) {
  const char* b;
  const char* e;
  while (next_line(b, e)) {
    if (parse_line(b, e, out)) return true;
  }
  if (requests() == 0) {
    throw InputError(fmt::format("{}: no requests in {} line(s) (an empty trace; a request line is `LD <addr>` or "
                                 "`<cycle> R <addr>`)",
                                 path_, line_));
  }
  return false;
}

}  // namespace h2sim
