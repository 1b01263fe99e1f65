#!/usr/bin/env python3
"""Where the sync CPU goes: inclusive shares of a few frames in a perf
profile recorded with call graphs (docs/PERFORMANCE.md, "Profile").

    perf record -F 999 --call-graph dwarf,32768 -o sync.perf -- \
        target/release/porte-voix-loadgen http --phones 20 --contributions 100
    perf script -i sync.perf | python3 tests/src/bench/perf_breakdown.py porte-voix

The argument selects the samples of one binary (`porte-voix`: the spawned
server; `porte-voix-loadgen`: the in-process floor), by the file the frames
come from (thread names say `actix-rt`, `tokio-*`, not the program). A
sample counts towards a frame when the frame is anywhere on its stack, so
nested frames overlap and rows do not add up to 100 %. Two columns: the
share of all the binary's samples, and of those inside `SyncEngine::sync`
(including stacks cut short by perf that show one of the sync's steps).
"""
import re
import sys
from collections import Counter

# (label, regular expression on a frame's symbol), most specific first.
FRAMES = [
    ("whole sync batch (SyncEngine::sync)", r"SyncEngine::sync\b"),
    ("  apply the phone's changes (load_incremental)", r"Automerge::load_incremental"),
    ("  actors of the new changes (new_actors)", r"document::new_actors"),
    ("  fields the changes touched (touched_fields: diff)", r"document::touched_fields"),
    ("  JSON projection (document::to_json, every call)", r"document::to_json"),
    ("  schema check (Document::parse)", r"schema::Document::parse|Document::parse"),
    ("  geotag lookup (Territory::place)", r"Territory::place"),
    ("  write geo (document::write_geo, with its to_json)", r"document::write_geo"),
    ("  save the document (Automerge::save)", r"Automerge::save\b|Automerge::save_with_options"),
    ("    of which deflate", r"compression::compress|zlib_rs::deflate"),
    ("  what the phone lacks (missing_for_phone)", r"missing_for_phone"),
    ("  store the write (Store::put_doc)", r"put_doc"),
    ("  flush to disk (Store::flush)", r"Store>::flush|Db::flush|sled::.*flush"),
    ("  updates for the phone (updates_since)", r"updates_since"),
    ("request JSON parsing (serde_json, SyncRequest)", r"Deserialize.*(SyncRequest|DocumentIn)|(SyncRequest|DocumentIn).*Deserialize"),
    ("reply JSON writing (serde_json, SyncResponse)", r"Serialize.*(SyncResponse|DocumentOut)|(SyncResponse|DocumentOut).*Serialize"),
    ("token check (JWT)", r"jsonwebtoken::"),
    ("request logging (tracing)", r"tracing_subscriber::|tracing_actix_web::"),
    ("sled background threads", r"sled::threadpool"),
    ("password hashing (argon2)", r"argon2::"),
]


def stacks(stream, binary):
    """Yields the list of symbols of every sample of `perf script` output
    with a frame from `binary`."""
    suffix = "/" + binary + ")"
    syms, ours = [], False
    for line in stream:
        line = line.rstrip("\n")
        if not line.strip():
            if ours:
                yield syms
            syms, ours = [], False
        elif line.startswith((" ", "\t")):
            parts = line.strip().split(None, 1)
            if len(parts) == 2:
                ours = ours or parts[1].endswith(suffix)
                syms.append(re.sub(r"\s*\([^)]*\)$", "", parts[1]))
    if ours:
        yield syms


def main():
    binary = sys.argv[1] if len(sys.argv) > 1 else "porte-voix"
    compiled = [(label, re.compile(rx)) for label, rx in FRAMES]
    in_sync = compiled[0][1]
    steps = [rx for label, rx in compiled[1:] if label.startswith("  ")]
    counts, counts_in_sync = Counter(), Counter()
    total = sync_total = 0
    for syms in stacks(sys.stdin, binary):
        total += 1
        inside = any(in_sync.search(s) for s in syms) or (
            # perf copies at most 32 KiB of stack: a deep stack loses its
            # outer frames (the outermost then reads "[unknown]"). One that
            # still shows a step of the sync is counted inside the sync.
            syms
            and syms[-1].startswith("[unknown]")
            and any(rx.search(s) for rx in steps for s in syms)
        )
        sync_total += inside
        for label, rx in compiled:
            if any(rx.search(s) for s in syms):
                counts[label] += 1
                counts_in_sync[label] += inside
    # The first row is the sync itself, cut-short stacks included.
    counts_in_sync[compiled[0][0]] = sync_total
    if not total:
        sys.exit(f"no samples from {binary!r}")
    print(f"| frame (inclusive) | share of {total} samples of `{binary}` "
          f"| share of the {sync_total} in `SyncEngine::sync` |")
    print("| --- | ---: | ---: |")
    for label, _ in FRAMES:
        share = 100.0 * counts[label] / total
        in_s = 100.0 * counts_in_sync[label] / max(sync_total, 1)
        print(f"| {label} | {share:.1f} % | {in_s:.1f} % |")


if __name__ == "__main__":
    main()
