#!/usr/bin/env bash
# vireo-tui with libvirt hosts beside this computer, through libvirt's test
# driver (no daemon): the HOST column, sorting by host, the host:NAME
# filter, lifecycle keys on a libvirt VM and a key its host cannot do
# refused in one line, N showing the networks of the selected VM's host
# and stopping and starting one there, n making a VM on that host, an
# unreachable host's error in the first line and
# R connecting it, A adding a host by URI (a bad URI refused, nothing
# saved), and the layout at 120 and 80 columns.  vireo-tui is one process:
# the test driver's VMs keep the states the keys gave them.
. "$(dirname "$0")/tui-lib.sh"
# rows: the table's rows, without the two header lines and the two last
rows() { screen | sed -n '3,$p' | head -n -2 | grep .; }

# node FILE NAME:UUID-DIGIT:RUNSTATE…: a test driver host with these VMs
# (runstate 1 running, 3 paused, 5 shut off)
node() {
  local file=$1 vm name digit state
  shift
  {
    echo "<node>"
    for vm in "$@"; do
      IFS=: read -r name digit state <<<"$vm"
      echo "<domain type='qemu' xmlns:test='http://libvirt.org/schemas/domain/test/1.0'>"
      echo "<name>$name</name><uuid>00000000-0000-4000-8000-00000000000$digit</uuid>"
      echo "<memory unit='MiB'>512</memory><vcpu>2</vcpu>"
      echo "<os><type arch='x86_64' machine='pc'>hvm</type></os><test:runstate>$state</test:runstate></domain>"
    done
    echo "</node>"
  } >"$file"
}

node "$ROOT/lab.xml" web:1:1 db:2:5 cache:3:3
# and a running NAT network on the lab
sed -i "s|</node>|<network><name>labnet</name><uuid>00000000-0000-4000-8000-0000000000b1</uuid><bridge name='virbr9'/><forward mode='nat'/><ip address='10.77.0.1' prefix='24'><dhcp><range start='10.77.0.2' end='10.77.0.254'/></dhcp></ip></network></node>|" "$ROOT/lab.xml"
create_guest here
ctl host-add "test://$ROOT/lab.xml" --title Lab >/dev/null
ctl host-add "test://$ROOT/office.xml" --title Office >/dev/null
run_tui="$VIREO_TUI --root $ROOT; echo \$? > $ROOT/tui-exit"
tm -f /dev/null new-session -d -s tui -x 120 -y 30 "$run_tui"
tm set-option -t tui remain-on-exit on

step the VMs of the saved host are listed beside those of this computer, with a HOST column
wait_screen "^Vireo · 4 VMs, 2 running"
wait_screen "^STATE +HOST +NAME\\^ +CPUS +MEMORY"
wait_screen "^Shut off +This computer +here +1 +256.0.MiB"
wait_screen "^Running +Lab +web +2 +512.0.MiB"
wait_screen "^Paused +Lab +cache "
wait_screen "^Shut off +Lab +db "

step the host that cannot be reached says why in the first line
wait_screen "^Vireo · 4 VMs, 2 running · Office: not connected: Host 'test://$ROOT/office.xml'"
[ "$(screen | wc -L)" -le 120 ] || fail "a line is wider than 120 columns: $(screen)"

step sorting by host: this computer first, then the VMs of each host by name
tm send-keys -t tui '<'
status "Sorted by HOST."
wait_screen "^STATE +HOST\\^ +NAME "
order=$(rows | sed -E 's/^(Running|Paused|Shut off) +//; s/ {2,}/|/g' | cut -d '|' -f 1,2 | tr '\n' ' ')
[ "$order" = "This computer|here Lab|cache Lab|db Lab|web " ] || fail "the rows are not in host order: $order"
tm send-keys -t tui I
wait_screen "^STATE +HOST(v|\\^) +NAME "
rows | head -n 1 | grepq -E "^Running +Lab +web " || fail "inverted, the host order does not start with Lab's web: $(screen)"
tm send-keys -t tui I

step the filter host:lab shows the VMs of that host alone
tm send-keys -t tui / h o s t : l a b Enter
wait_screen " /host:lab$"
[ "$(rows | wc -l)" -eq 3 ] || fail "host:lab shows $(rows | wc -l) rows: $(screen)"
screen | grepq "This computer" && fail "host:lab left this computer's VM on screen"

step p pauses the libvirt VM and resumes it
tm send-keys -t tui End p
status "VM 'web' paused."
wait_screen "^Paused +Lab +web "
tm send-keys -t tui p
status "VM 'web' resumed."
wait_screen "^Running +Lab +web "

step a key its host cannot do is refused in one line, saying why
tm send-keys -t tui c
status "VM 'web': Vireo cannot do this on host 'Lab' yet"
tm send-keys -t tui C
status "VM 'web' is running; shut it down to clone it"
tm send-keys -t tui s
status "VM 'web' is already running"

step start and force off a libvirt VM by key
tm send-keys -t tui Home Down s
status "VM 'db' started."
wait_screen "^Running +Lab +db "
tm send-keys -t tui K
status "Force VM 'db' off, as if unplugged\\? \\(y/n\\)"
tm send-keys -t tui y
status "VM 'db' forced off."
wait_screen "^Shut off +Lab +db "

step N shows the networks of the selected VM host, with its title, and stops and starts one there
tm send-keys -t tui N
wait_screen "^Vireo · Lab · 1 network, 1 active$"
wait_screen "^labnet +Active +no +virbr9 +10.77.0.0/24"
screen | grepq "^default " && fail "this computer's network is listed with a lab VM selected: $(screen)"
tm send-keys -t tui S
status "Network 'labnet' stopped."
wait_screen "^labnet +Inactive +no "
wait_screen "^Vireo · Lab · 1 network, 0 active$"
tm send-keys -t tui s
status "Network 'labnet' started."
wait_screen "^labnet +Active +no "
tm send-keys -t tui Escape
wait_screen "^Shut off +Lab +db "

step n makes the new VM on the selected VM host, which checks its memory
tm send-keys -t tui n
wait_screen "^New VM on host Lab$"
tm send-keys -t tui f r e s h Tab BSpace BSpace BSpace BSpace BSpace BSpace 9 9 9 9 9 9 9 Tab Tab BSpace BSpace BSpace BSpace Enter
status "VM 'fresh': memory must be from 64 to [0-9]+ MiB on host 'Lab'"
tm send-keys -t tui BTab BTab BSpace BSpace BSpace BSpace BSpace BSpace BSpace 2 5 6 Enter
status "VM 'fresh' created: s starts it."
wait_screen "^Shut off +Lab +fresh "

step R connects the host that could not be reached, once it can be
node "$ROOT/office.xml" branch:4:5
tm send-keys -t tui Escape R
status "Connected to host 'Office'."
wait_screen "^Shut off +Office +branch "
screen | head -n 1 | grepq "not connected" && fail "the first line still says a host is not connected: $(screen)"
tm send-keys -t tui R
status "No host is lost or disconnected"

step A refuses a bad URI in one line and saves nothing
tm send-keys -t tui A
status "URI of the host to add"
tm send-keys -t tui "qemu+ssh://-oProxyCommand=x/system" Enter
status "'qemu\\+ssh://-oProxyCommand=x/system' is not a host URI Vireo can use"
ctl host-list --no-connect | grepq ProxyCommand && fail "the bad URI was saved"
tm send-keys -t tui A "test://$ROOT/annex.xml" Enter
status "Title of host 'test://$ROOT/annex.xml'"
tm send-keys -t tui Escape
status "Nothing was done."
ctl host-list --no-connect | grepq annex && fail "a host was saved after Esc"

step A adds a host by URI, with a title, and connects it
node "$ROOT/annex.xml" spare:5:1
tm send-keys -t tui A "test://$ROOT/annex.xml" Enter Annex Enter
status "Connected to host 'Annex'."
wait_screen "^Running +Annex +spare "
wait_screen "^Vireo · 7 VMs, 3 running$"
ctl host-list --no-connect | grepq -E "^ test://$ROOT/annex.xml +Annex " ||
  fail "host-list does not show the added host: $(ctl host-list --no-connect)"
tm send-keys -t tui A "test://$ROOT/annex.xml" Enter Enter
status "The host 'test://$ROOT/annex.xml' is saved already"

step at 80 columns the HOST column stays, and the help shows the new keys
tm resize-window -t tui -x 80 -y 24
wait_screen "^STATE +HOST\\^ +NAME "
[ "$(screen | wc -l)" -eq 24 ] || fail "80x24 shows $(screen | wc -l) lines"
[ "$(screen | wc -L)" -le 80 ] || fail "a line is wider than 80 columns: $(screen)"
wait_screen "^Running +Lab +web +2 +512.0.MiB"
tm send-keys -t tui '?'
wait_screen "^  A +save a libvirt host by its URI"
wait_screen "^  R +reconnect the selected VM's host"
[ "$(screen | wc -L)" -le 80 ] || fail "a help line is wider than 80 columns: $(screen)"
tm send-keys -t tui Escape q
for ((i = 0; i < 50; i++)); do [ "$(tm display -p -t tui '#{pane_dead}')" = 1 ] && break; sleep 0.1; done
[ "$(cat "$ROOT/tui-exit" 2>/dev/null)" = 0 ] || fail "vireo-tui did not quit cleanly"
tm kill-server
echo "tui-hosts: ok"
