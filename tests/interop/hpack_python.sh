#!/usr/bin/env bash
# Our HPACK codec (src/h2/hpack/, through tests/interop/servers/hpack_tool.cpp)
# against python3-hpack (Debian's package), both ways: random header sets
# from a fixed seed, encoded by python and decoded by us, and encoded by us
# and decoded by python, each direction one long sequence of blocks sharing
# the dynamic table, with table size changes (down to 0 and up to 64 KiB)
# between blocks, never-indexed fields, Huffman and raw strings, binary
# values and entries too large to index. Also: the RFC tables typed into
# scripts/gen-hpack-tables equal python3-hpack's.
#
# ctest runs it with LWSPP_BUILD_DIR set; by hand:
#   LWSPP_BUILD_DIR=build/dev bash tests/interop/hpack_python.sh
# Exit: 0 all passed, 1 something failed, 77 skipped (no python3-hpack).
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/lib/common.bash"

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
build_dir=${LWSPP_BUILD_DIR:-$here/../../build/dev}
tool=$build_dir/tests/hpack_tool
[[ -x $tool ]] || { echo "no $tool: build the hpack_tool target" >&2; exit 1; }

# Debian's python3-hpack is in the system python's path, which a python3
# earlier in PATH (pyenv, a venv) may not see.
need_python python3-hpack hpack

out=$("$py" - "$tool" "$here/../../scripts/gen-hpack-tables" <<'PYEOF'
import importlib.machinery, importlib.util, random, subprocess, sys
from hpack import Encoder, Decoder, NeverIndexedHeaderTuple, HeaderTuple
from hpack import huffman_constants, table

tool = sys.argv[1]
BLOCKS = 600
SIZES = [0, 64, 256, 1000, 4096, 16384, 65536]
NAMES = [b":method", b":path", b":authority", b":scheme", b":status", b"accept",
         b"accept-encoding", b"user-agent", b"cookie", b"authorization", b"set-cookie",
         b"content-length", b"content-type", b"date", b"etag", b"cache-control"] + \
        [b"x-custom-%d" % i for i in range(30)]

def rand_value(rng):
    r = rng.random()
    if r < 0.5:   # from a small pool: repeats that the tables should catch
        return rng.choice([b"GET", b"/", b"/index.html", b"gzip, deflate", b"200", b"text/html",
                           b"www.example.com", b"no-cache", b"Mozilla/5.0 (X11; Linux x86_64)"])
    if r < 0.8:
        return bytes(rng.choice(b"abcdefghijklmnopqrstuvwxyz0123456789-_=;/. ")
                     for _ in range(rng.randrange(0, 60)))
    if r < 0.97:
        return bytes(rng.randrange(256) for _ in range(rng.randrange(0, 40)))
    return b"L" * rng.randrange(1000, 5000)  # too big to index in small tables

def rand_fields(rng):
    fields = []
    for _ in range(rng.randrange(0, 16)):
        name = rng.choice(NAMES) if rng.random() < 0.95 else \
            bytes(rng.choice(b"abcdefghijklmnopqrstuvwxyz-") for _ in range(rng.randrange(1, 20)))
        fields.append((name, rand_value(rng), rng.random() < 0.1))
    return fields

def line(fields):
    return "fields" + "".join(" %s:%s:%d" % (n.hex(), v.hex(), ni) for n, v, ni in fields)

def parse(reply):
    parts = reply.split()
    assert parts[0] == "fields", reply
    out = []
    for p in parts[1:]:
        n, v, ni = p.split(":")
        out.append((bytes.fromhex(n), bytes.fromhex(v), ni == "1"))
    return out

def talk(proc, text):
    proc.stdin.write(text + "\n")
    proc.stdin.flush()
    return proc.stdout.readline().strip()

failures = 0
def check(what, ok, detail=""):
    global failures
    if ok:
        print("ok:   " + what)
    else:
        failures += 1
        print("FAIL: " + what + (": " + str(detail) if detail else ""), file=sys.stderr)

# The RFC's tables as our generator has them typed, against python3-hpack's
# own copy (written independently from the same appendices).
loader = importlib.machinery.SourceFileLoader("gen", sys.argv[2])
gen = importlib.util.module_from_spec(importlib.util.spec_from_loader("gen", loader))
loader.exec_module(gen)
check("scripts/gen-hpack-tables: Huffman code and static table equal python3-hpack's",
      list(zip(huffman_constants.REQUEST_CODES, huffman_constants.REQUEST_CODES_LENGTH)) == gen.HUFFMAN
      and [(n.decode(), v.decode()) for n, v in table.HeaderTable.STATIC_TABLE] == gen.STATIC)

# python encodes, we decode.
# python's own decoder reads the same blocks: the never-indexed flag is the
# wire's (python sends a sensitive field that matches a table entry as a
# plain index), so ours must agree with it, and names and values with the input.
rng = random.Random(7541)
enc = Encoder()
ref = Decoder()
ours = subprocess.Popen([tool, "decode"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
bad, changes, nbytes = None, 0, 0
for i in range(BLOCKS):
    if rng.random() < 0.07:
        size = rng.choice(SIZES)
        talk(ours, "size %d" % size)  # our SETTINGS_HEADER_TABLE_SIZE, acknowledged
        enc.header_table_size = size
        ref.max_allowed_table_size = size
        changes += 1
    fields = rand_fields(rng)
    block = enc.encode([NeverIndexedHeaderTuple(n, v) if ni else HeaderTuple(n, v)
                        for n, v, ni in fields], huffman=rng.random() < 0.7)
    nbytes += len(block)
    reply = talk(ours, "block " + block.hex())
    want = [(h[0], h[1], isinstance(h, NeverIndexedHeaderTuple)) for h in ref.decode(block, raw=True)]
    if not reply.startswith("fields") or parse(reply) != want or \
            [(n, v) for n, v, _ in want] != [(n, v) for n, v, _ in fields]:
        bad = (i, fields, reply)
        break
ours.stdin.close(); ours.wait()
check("python3-hpack -> lwspp: %d blocks (%d bytes, %d table size changes) decode equal"
      % (BLOCKS, nbytes, changes), bad is None, bad)

# We encode, python decodes.
rng = random.Random(9113)
dec = Decoder()
ours = subprocess.Popen([tool, "encode"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
bad, changes, nbytes, never = None, 0, 0, 0
for i in range(BLOCKS):
    if rng.random() < 0.07:
        size = rng.choice(SIZES)
        dec.max_allowed_table_size = size  # python's SETTINGS_HEADER_TABLE_SIZE
        talk(ours, "size %d" % size)
        changes += 1
    fields = rand_fields(rng)
    reply = talk(ours, line(fields))
    block = bytes.fromhex(reply.split()[1]) if len(reply.split()) > 1 else b""
    nbytes += len(block)
    try:
        got = dec.decode(block, raw=True)
    except Exception as e:
        bad = (i, fields, repr(e))
        break
    same = [(h[0], h[1]) for h in got] == [(n, v) for n, v, _ in fields]
    # A field we were asked to send never-indexed must arrive so.
    flags = all(isinstance(h, NeverIndexedHeaderTuple) for h, f in zip(got, fields) if f[2])
    never += sum(1 for h in got if isinstance(h, NeverIndexedHeaderTuple))
    if not (same and flags):
        bad = (i, fields, got)
        break
ours.stdin.close(); ours.wait()
check("lwspp -> python3-hpack: %d blocks (%d bytes, %d table size changes, %d never-indexed) decode equal"
      % (BLOCKS, nbytes, changes, never), bad is None, bad)

# A block python encodes after a lowered setting must start with the update:
# without it our decoder refuses the block (RFC 7541 4.2).
ours = subprocess.Popen([tool, "decode"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
enc = Encoder()
talk(ours, "block " + enc.encode([(b"x-a", b"1")]).hex())
talk(ours, "size 0")
reply = talk(ours, "block " + Encoder().encode([(b"x-a", b"1")]).hex())  # a fresh encoder: no update
check("a block without the required size update is refused", reply.startswith("error"), reply)
enc.header_table_size = 0
reply = talk(ours, "block " + enc.encode([(b"x-a", b"1")]).hex())
check("python's size update to 0 is accepted", reply.startswith("fields"), reply)
ours.stdin.close(); ours.wait()
sys.exit(1 if failures else 0)
PYEOF
) || true
while IFS= read -r l; do
  case $l in
    ok:*) pass "${l#ok:   }" ;;
  esac
done <<<"$out"
[[ $(grep -c '^ok:' <<<"$out") -eq 5 ]] || fail "python3-hpack checks: $(grep -c '^ok:' <<<"$out") of 5 passed"
finish
