#!/bin/bash -eu
# ClusterFuzzLite / OSS-Fuzz build of raftsim's fuzz targets.
#
# Uses only what the fuzzing infrastructure sets: $CXX, $CXXFLAGS (sanitizer
# and coverage flags), $LIB_FUZZING_ENGINE (the engine to link) and $OUT
# (where targets, seed corpora and dictionaries go). It needs no meson: the
# sources are compiled directly, and fmt is used header-only, so the build
# works whichever C++ standard library $CXXFLAGS selects (OSS-Fuzz uses
# libc++). By hand on a Debian machine with clang 14:
#
#   CXX=clang++ CXXFLAGS="-fsanitize=address,undefined -fsanitize=fuzzer-no-link" \
#   LIB_FUZZING_ENGINE=-fsanitize=fuzzer OUT=/tmp/cflite-out .clusterfuzzlite/build.sh
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
work=${WORK:-$(mktemp -d)}
mkdir -p "$OUT" "$work/obj"

python3 "$root/tools/embed_scenarios.py" "$work/builtin_scenarios.cpp" \
    $(sed -n "s/^  'builtin\/\(.*\.json\)',\$/\1/p" "$root/scenarios/meson.build" \
      | sed "s|^|$root/scenarios/builtin/|")

# The same coverage ignorelist as the meson fuzzing build (it says why).
flags=(-std=c++20 -DFMT_HEADER_ONLY -I"$root/core/include" -I"$root/sim/include"
       -I"$root/scenarios/include" -I"$root/fuzz/include"
       -fsanitize-coverage-ignorelist="$root/fuzz/coverage_ignorelist.txt")
sources=("$root"/core/src/*.cpp "$root"/sim/src/*.cpp "$root"/scenarios/src/*.cpp
         "$root"/fuzz/src/*.cpp "$work/builtin_scenarios.cpp")

# Compile the libraries in parallel, one object per source.
printf '%s\n' "${sources[@]}" | xargs -P "$(nproc)" -I{} sh -c \
    '"$0" $1 -c "{}" -o "$2/obj/$(echo "{}" | tr / _).o"' \
    "$CXX" "$CXXFLAGS ${flags[*]}" "$work"
rm -f "$work/libraftsim.a"
ar rcs "$work/libraftsim.a" "$work"/obj/*.o

for target in fuzz_cluster fuzz_node fuzz_scenario; do
    # RAFTSIM_LIBFUZZER: fuzz_cluster's protocol counters go in the section
    # libFuzzer reads as extra coverage (docs/fuzzing.md, "Protocol coverage").
    # shellcheck disable=SC2086 # CXXFLAGS and LIB_FUZZING_ENGINE are flag lists
    $CXX $CXXFLAGS "${flags[@]}" -DRAFTSIM_LIBFUZZER=1 "$root/fuzz/targets/$target.cpp" \
        "$work/libraftsim.a" \
        $LIB_FUZZING_ENGINE -o "$OUT/$target"
    cp "$root/fuzz/dict/$target.dict" "$OUT/$target.dict"
    rm -f "$OUT/${target}_seed_corpus.zip"
    (cd "$root/fuzz/corpus/$target" && zip -q -r "$OUT/${target}_seed_corpus.zip" .)
done
echo "built fuzz_cluster fuzz_node fuzz_scenario into $OUT"
