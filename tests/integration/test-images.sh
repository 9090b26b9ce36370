#!/usr/bin/env bash
# Images Vireo did not make cannot expose host files: a qcow2 that names a
# host file as its backing file (or as its external data file) is refused
# on import, on attach and on define, and no image under the root ever
# holds the host file's bytes.  A swapped image is refused at start, and
# the command line pins the chain ("backing": null), so QEMU itself opens
# no backing file even if the image names one.
. "$(dirname "$0")/lib.sh"

images="$ROOT/data/images"
marker="VIREO-HOST-SECRET-$$"
host_file="$ROOT/host-secret.txt"
{ printf '%s\n' "$marker"; head -c 65536 /dev/zero; } > "$host_file"
evil="$ROOT/evil.qcow2"
qemu-img create -q -f qcow2 -F raw -b "$host_file" "$evil" 1M
datafile="$ROOT/datafile.qcow2"
cp "$host_file" "$ROOT/data.raw"
qemu-img create -q -f qcow2 -o data_file="$ROOT/data.raw",data_file_raw=on "$datafile" 1M
create_guest images

step import refuses a backing file and a data file
expect_error 1 "has a backing file ($host_file): Vireo runs standalone images only; make one with \`qemu-img convert -O qcow2 $evil NEW.qcow2\`" \
  -- ctl create imported --memory 256 --vcpus 1 --import "$evil"
expect_error 1 "has an external data file ($ROOT/data.raw)" -- ctl create imported2 --memory 256 --import "$datafile"
ctl list --all | grepq imported && fail "a refused import defined a VM"

step attach refuses them, naming the disk
expect_error 1 "VM 'images': disk vdb ($evil) has a backing file ($host_file)" -- ctl attach-disk images "$evil"
expect_error 1 "VM 'images': disk vdb ($datafile) has an external data file" -- ctl attach-disk images "$datafile"

step define refuses them, and a raw image holding a qcow2 header stays raw
xml="$ROOT/defined.xml"
ctl dumpxml images | sed "s|<name>images</name>|<name>defined</name>|; /<uuid>/d; /<mac /d; s|$images/images.qcow2|$evil|" > "$xml"
grep -q "$evil" "$xml" || fail "the test XML does not name the image"
expect_error 1 "VM 'defined': disk vda ($evil) has a backing file ($host_file)" -- ctl define "$xml"
sed -i "s|type=\"qcow2\"|type=\"raw\"|" "$xml"
ctl define "$xml" >/dev/null || fail "a raw disk (whatever its bytes) was refused"
grep -q '<backingStore' "$xml" && fail "the test XML already has a backingStore"
sed -i "s|</disk>|<backingStore type='file'><format type='raw'/><source file='$host_file'/></backingStore></disk>|" "$xml"
expect_error 1 "names a <backingStore>; Vireo runs standalone images only" -- ctl define "$xml"

step no image under the root holds the host file
if grep -rl --binary-files=text "$marker" "$ROOT/data" "$ROOT/config" 2>/dev/null; then
  fail "the host file's bytes reached an image under the root"
fi

step an image swapped after definition is refused at start
cp "$images/images.qcow2" "$ROOT/good.qcow2"
cp "$evil" "$images/images.qcow2"
expect_error 1 "VM 'images': disk vda ($images/images.qcow2) has a backing file ($host_file)" -- ctl start images
[ "$(ctl state images)" = "shutoff" ] || fail "the VM started from a swapped image"

step QEMU itself, given the pinned chain, opens no backing file
# The blockdev values are those the argv builder writes (its golden test
# pins "backing": null); QEMU is asked which block nodes it opened.
replies=$(printf '%s\n' '{"execute":"qmp_capabilities"}' '{"execute":"query-named-block-nodes"}' '{"execute":"quit"}' |
  timeout 30 qemu-system-x86_64 -nodefaults -display none -machine q35,accel=tcg -S -qmp stdio \
    -blockdev "{\"driver\":\"file\",\"filename\":\"$evil\",\"node-name\":\"file-vda\",\"read-only\":true}" \
    -blockdev "{\"node-name\":\"disk-vda\",\"driver\":\"qcow2\",\"file\":\"file-vda\",\"read-only\":true,\"backing\":null}")
grep -q '"node-name": "disk-vda"' <<<"$replies" || fail "QEMU did not open the image: $replies"
# the image's header still names the host file (image.backing-filename);
# an opened backing file would be a node of its own
grep -q "\"file\": \"$host_file\"" <<<"$replies" && fail "QEMU opened the backing file: $replies"
grep -q '"backing_file_depth": 0' <<<"$replies" || fail "QEMU follows a backing chain: $replies"
echo "images: ok (host bytes leaked into images: 0)"
