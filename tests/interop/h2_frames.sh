#!/usr/bin/env bash
# The HTTP/2 frame codec (src/h2/frame_*.cpp) against python3-h2 and the
# frame library it uses, python3-hyperframe (Debian's packages):
#
#   1. python3-h2 plays a client: preface, SETTINGS, a HEADERS block big
#      enough for a CONTINUATION, DATA with padding, PRIORITY, PING,
#      WINDOW_UPDATE (connection and stream), RST_STREAM and GOAWAY. Our
#      reader (tests/interop/servers/h2_frame_tool.cpp read) logs the frames
#      it parsed; hyperframe parses the same bytes into the same log format
#      (header fragments joined); the two logs must be equal.
#   2. Our writer (h2_frame_tool write) produces every frame type;
#      hyperframe parses it, and the log must equal what the tool was asked
#      to write (spelled out below from the same inputs).
#
# ctest runs it with LWSPP_BUILD_DIR set; by hand:
#   LWSPP_BUILD_DIR=build/dev bash tests/interop/h2_frames.sh
# Exit: 0 all passed, 1 something failed, 77 skipped (no python3-h2).
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/lib/common.bash"
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
build_dir=${LWSPP_BUILD_DIR:-$here/../../build/dev}
tool=$build_dir/tests/h2_frame_tool
[[ -x $tool ]] || { echo "FAIL: $tool is not built" >&2; exit 1; }

# Debian's python3-h2 is in the system python's path, which a python3
# earlier in PATH (pyenv, a venv) may not see.
need_python python3-h2 h2 hyperframe
echo "python:   $py $("$py" -c 'import h2, hyperframe; print("h2", h2.__version__, "hyperframe", hyperframe.__version__)')"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/lwspp-h2.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# The log format of tests/unit/h2/frame_log.hpp, from hyperframe's frames.
cat >"$tmp/frames.py" <<'PY'
import os, sys
from hyperframe.frame import (Frame, DataFrame, HeadersFrame, PriorityFrame, RstStreamFrame,
    SettingsFrame, PushPromiseFrame, PingFrame, GoAwayFrame, WindowUpdateFrame,
    ContinuationFrame, ExtensionFrame)

PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"

def digest(b):
    h = 2166136261
    for c in b:
        h = ((h ^ c) * 16777619) & 0xffffffff
    return "%d:%08x" % (len(b), h)

def prio(f):
    return "%d/%d/%d" % (f.depends_on, f.stream_weight, 1 if f.exclusive else 0)

def log(data):
    """hyperframe's reading of data (after the preface) in frame_log lines."""
    assert data.startswith(PREFACE), "no preface"
    pos, out, block = len(PREFACE), [], None
    while pos < len(data):
        f, length = Frame.parse_frame_header(memoryview(data[pos:pos + 9]))
        f.parse_body(memoryview(data[pos + 9:pos + 9 + length]))
        pos += 9 + length
        if isinstance(f, (HeadersFrame, PushPromiseFrame)):
            block = [f, bytes(f.data)]
        elif isinstance(f, ContinuationFrame):
            block[1] += bytes(f.data)
        if isinstance(f, (HeadersFrame, PushPromiseFrame, ContinuationFrame)):
            if "END_HEADERS" not in f.flags:
                continue
            first, joined = block
            if isinstance(first, HeadersFrame):
                p = prio(first) if "PRIORITY" in first.flags else "none"
                out.append("HEADERS stream=%d block=%s end_stream=%d priority=%s" % (
                    first.stream_id, digest(joined), "END_STREAM" in first.flags, p))
            else:
                out.append("PUSH_PROMISE stream=%d promised=%d block=%s" % (
                    first.stream_id, first.promised_stream_id, digest(joined)))
        elif isinstance(f, DataFrame):
            out.append("DATA stream=%d length=%d data=%s end_stream=%d" % (
                f.stream_id, f.flow_controlled_length, digest(bytes(f.data)),
                "END_STREAM" in f.flags))
        elif isinstance(f, PriorityFrame):
            out.append("PRIORITY stream=%d priority=%s" % (f.stream_id, prio(f)))
        elif isinstance(f, RstStreamFrame):
            out.append("RST_STREAM stream=%d code=%d" % (f.stream_id, f.error_code))
        elif isinstance(f, SettingsFrame):
            out.append("SETTINGS ack=%d entries=%s" % ("ACK" in f.flags,
                ",".join("%d:%d" % kv for kv in f.settings.items())))
        elif isinstance(f, PingFrame):
            out.append("PING ack=%d opaque=%s" % ("ACK" in f.flags, bytes(f.opaque_data).hex()))
        elif isinstance(f, GoAwayFrame):
            out.append("GOAWAY last=%d code=%d debug=%s" % (f.last_stream_id, f.error_code,
                bytes(f.additional_data).hex()))
        elif isinstance(f, WindowUpdateFrame):
            out.append("WINDOW_UPDATE stream=%d increment=%d" % (f.stream_id, f.window_increment))
        else:
            out.append("UNKNOWN type=%d flags=%d stream=%d length=%d" % (
                f.type, f.flag_byte, f.stream_id, length))
    return "\n".join(out) + "\n"

def client_bytes():
    """A client connection from python3-h2."""
    import h2.config, h2.connection
    c = h2.connection.H2Connection(h2.config.H2Configuration(client_side=True))
    c.initiate_connection()
    rnd = os.urandom(20000).hex()  # Huffman leaves hex at about 5/8: ~25 KB of block
    headers = [(":method", "POST"), (":scheme", "https"), (":authority", "example.com"),
               (":path", "/upload")] + [("x-big-%d" % i, rnd[i * 1000:(i + 1) * 1000])
                                        for i in range(40)]
    c.send_headers(1, headers)
    c.send_data(1, os.urandom(5000), pad_length=200)
    c.send_data(1, b"", pad_length=7)
    c.send_data(1, b"tail", end_stream=False)
    c.prioritize(3, weight=42, depends_on=1, exclusive=True)
    c.ping(b"h2-ping!")
    c.increment_flow_control_window(100000)
    c.increment_flow_control_window(5000, stream_id=1)
    c.reset_stream(1, error_code=8)
    c.close_connection(error_code=0, additional_data=b"done", last_stream_id=0)
    return c.data_to_send()

if __name__ == "__main__":
    if sys.argv[1] == "client":      # python3-h2's bytes to a file
        open(sys.argv[2], "wb").write(client_bytes())
    elif sys.argv[1] == "log":       # hyperframe's log of a file
        sys.stdout.write(log(open(sys.argv[2], "rb").read()))
    elif sys.argv[1] == "expected":  # what h2_frame_tool write was asked to write
        block = bytes(65 + i % 50 for i in range(20000))
        sys.stdout.write("\n".join([
            "SETTINGS ack=0 entries=1:8192,2:0,4:1048576,5:32768",
            "SETTINGS ack=1 entries=",
            "HEADERS stream=1 block=%s end_stream=0 priority=0/41/0" % digest(block),
            "DATA stream=1 length=1018 data=%s end_stream=0" % digest(b"d" * 1000),
            "DATA stream=1 length=4 data=%s end_stream=1" % digest(b"last"),
            "PRIORITY stream=3 priority=1/7/1",
            "PING ack=0 opaque=%s" % b"lwspp-h2".hex(),
            "PING ack=1 opaque=%s" % b"lwspp-h2".hex(),
            "WINDOW_UPDATE stream=0 increment=16777216",
            "WINDOW_UPDATE stream=1 increment=4096",
            "RST_STREAM stream=1 code=8",
            "PUSH_PROMISE stream=3 promised=6 block=%s" % digest(b"promised-block"),
            "GOAWAY last=5 code=11 debug=%s" % b"calm down".hex(),
        ]) + "\n")
PY

# 1. python3-h2's client bytes, read by us and by hyperframe.
"$py" "$tmp/frames.py" client "$tmp/client.bin"
echo "client:   $(wc -c <"$tmp/client.bin") bytes from python3-h2"
ours=$("$tool" read --preface <"$tmp/client.bin")
theirs=$("$py" "$tmp/frames.py" log "$tmp/client.bin")
expect_eq "our reader parses python3-h2's client frames as hyperframe does" "$ours" "$theirs"
for what in SETTINGS HEADERS DATA PRIORITY PING WINDOW_UPDATE RST_STREAM GOAWAY; do
  expect_match "python3-h2's sequence has $what" "$theirs" "^$what "
done
expect_match "the HEADERS block needed a CONTINUATION" \
  "$(od -An -tx1 -v "$tmp/client.bin" | tr -s ' \n' ' ')" " 09 0[04] 00 00 00 01 "
expect_match "a DATA frame was padded" "$theirs" "^DATA stream=1 length=5201 "

# 2. Our writer's bytes, parsed by hyperframe.
"$tool" write >"$tmp/ours.bin"
expect_eq "hyperframe parses our writer's frames as written" \
  "$("$py" "$tmp/frames.py" log "$tmp/ours.bin")" "$("$py" "$tmp/frames.py" expected)"
expect_eq "our reader agrees" "$("$tool" read --preface <"$tmp/ours.bin")" \
  "$("$py" "$tmp/frames.py" expected)"

finish
